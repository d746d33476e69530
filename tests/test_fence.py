"""The fence around what a revision may import (Airflow's test_no_orm_refs_in_migration_scripts,
Zulip's rule for zerver/lib/migrate.py): a revision stays as it was written while the live
models move on, so it may import only ``alembic``, ``sqlalchemy``, the standard library and
``db.migrate``; and ``db.migrate``, which revisions import, never imports the live models
(``db.schema``) nor what env.py or aria-verify run. Imports inside functions count too."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REVISIONS = sorted((ROOT / "alembic" / "versions").glob("*.py"))
MACHINERY = sorted((ROOT / "db" / "migrate").rglob("*.py"))
MACHINERY_PACKAGE = "db.migrate"


def imported(source: str) -> Iterator[tuple[int, str]]:
    """Every module ``source`` imports, by line, as a dotted name; ``importlib`` and
    ``__import__`` calls too, since a string can name any module."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if module == "db":  # from db import schema: the module is db.schema
                yield from ((node.lineno, f"db.{alias.name}") for alias in node.names)
            else:
                yield node.lineno, module
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in (
            "importlib.import_module", "import_module", "__import__",
        ):  # fmt: skip
            yield node.lineno, "a module named at run time"


def _is(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def revision_breaches(source: str) -> list[str]:
    """What a revision imports beyond alembic, sqlalchemy, the standard library and
    db.migrate."""
    return [
        f"line {line}: {module}"
        for line, module in imported(source)
        if not (
            module.split(".")[0] in ("alembic", "sqlalchemy", *sys.stdlib_module_names)
            or _is(module, MACHINERY_PACKAGE)
        )
    ]


def machinery_breaches(source: str) -> list[str]:
    """What db.migrate imports from the project outside itself (the live models, env-side
    code, verification, connection): relative imports included."""
    return [
        f"line {line}: {module}"
        for line, module in imported(source)
        if module.startswith(".")
        or module == "a module named at run time"
        or (_is(module, "db") and not _is(module, MACHINERY_PACKAGE))
        or _is(module, "tests")
    ]


def test_the_fence_sees_every_file() -> None:
    assert len(REVISIONS) >= 5
    assert {path.name for path in MACHINERY} >= {"__init__.py", "record.py", "layout.py"}


@pytest.mark.parametrize("path", REVISIONS, ids=lambda path: path.name)
def test_a_revision_imports_only_alembic_sqlalchemy_and_the_machinery(path: Path) -> None:
    assert revision_breaches(path.read_text()) == []


@pytest.mark.parametrize("path", MACHINERY, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_machinery_never_imports_the_live_models_or_env_side_code(path: Path) -> None:
    assert machinery_breaches(path.read_text()) == []


PLANTED_IN_A_REVISION = [
    "from db.schema import metadata",
    "from db.schema.chat import ChatSession",
    "import db.schema.legacy",
    "from db import schema",
    "from db.deploy.lock import deploy_lock",
    "from db.verify.check import verify",
    "from db.connection.url import database_url",
    "import sqlglot",
    "from tests.support import history",
    "def upgrade():\n    from db.schema import metadata",
    "import importlib\nmodels = importlib.import_module('db.schema')",
]
PLANTED_IN_THE_MACHINERY = [
    "from db.schema.carried import CarriedSession",
    "from db.schema import metadata",
    "from ..schema import chat",
    "from db.deploy.version_table import NAME",
    "from db.verify import main",
    "def rows():\n    import db.schema.archive",
]


@pytest.mark.parametrize("line", PLANTED_IN_A_REVISION)
def test_an_import_planted_in_a_revision_is_caught(line: str) -> None:
    source = (REVISIONS[-1]).read_text() + "\n" + line + "\n"
    assert revision_breaches(source) != []


@pytest.mark.parametrize("line", PLANTED_IN_THE_MACHINERY)
def test_an_import_planted_in_the_machinery_is_caught(line: str) -> None:
    source = (ROOT / "db" / "migrate" / "record.py").read_text() + "\n" + line + "\n"
    assert machinery_breaches(source) != []


def test_what_a_revision_may_import_passes() -> None:
    allowed = "import logging\nimport sqlalchemy as sa\nfrom alembic import op\n"
    allowed += "from sqlalchemy.dialects import postgresql\nfrom db.migrate.layout import step\n"
    allowed += "from db import migrate\n"
    assert revision_breaches(allowed) == []
