"""Fixtures: one PostgreSQL per test session, a fresh database per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.config import Config

from db.connection.url import migration_engine
from tests.support.commands import ALEMBIC_INI
from tests.support.postgres import described, fresh_database, postgres_server, provider


@pytest.fixture(scope="session")
def pg_server() -> Iterator[sa.URL]:
    with postgres_server() as (_source, url):
        yield url


def pytest_configure(config: pytest.Config) -> None:
    required = os.environ.get("ARIA_TEST_PROVIDER")
    if required and (chosen := provider()) != required:
        raise pytest.UsageError(
            f"ARIA_TEST_PROVIDER={required}, but this run's PostgreSQL would come from {chosen}"
        )


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {described(provider())}"


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
