"""Production-shaped databases as they were before Alembic arrived."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from demo.legacy_history import LEGACY_TABLES

SQL = Path(__file__).parent / "sql"


def openclaw_init(url: sa.URL) -> None:
    """The legacy tables, made by OpenClaw's old init scripts, holding rows."""
    run_sql(url, LEGACY_TABLES + (SQL / "openclaw_init.sql").read_text())


def engine_bootstrap(url: sa.URL) -> None:
    """The engine tables, made by the engine's bootstrap, holding a live chat."""
    run_sql(url, (SQL / "engine_bootstrap.sql").read_text())


def run_sql(url: sa.URL, sql: str) -> None:
    # An ordinary connection, search_path included, as those scripts had; straight to the
    # driver with no parameters, so that a % in the SQL is only a %.
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        connection.connection.driver_connection.execute(sql)
    engine.dispose()
