"""Fixtures of the revision tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tests.support.commands import BEFORE_HISTORY


@pytest.fixture
def db(alembic_cfg: Config, engine: sa.Engine) -> Iterator[sa.Connection]:
    """A database at the S1-01 schema; legacy rows go in through the yielded connection."""
    command.upgrade(alembic_cfg, BEFORE_HISTORY)
    with engine.connect() as connection:
        yield connection
