"""pytest-alembic's built-in tests: the floor every revision must stand on.

Each runs on its own fresh database (``alembic_engine`` in conftest). The up-down test runs
downgrades on empty tables only; what a downgrade does to rows is tested per revision.
"""

from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]
