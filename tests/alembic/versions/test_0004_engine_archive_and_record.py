"""0004: the engine's archive tables as the application makes them, and the record's tables."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support.aria import aria_database, install_maintenance
from tests.support.commands import ARCHIVE_AND_RECORD, alembic, failure, upgrade_head
from tests.support.legacy import run_sql
from tests.support.postgres import fresh_database
from tests.support.snapshots import version

ARCHIVE = ("aria_engine.chat_sessions_archive", "aria_engine.chat_messages_archive")


def shape(engine: sa.Engine, table: str) -> dict[str, list[tuple[object, ...]]]:
    """Columns (in order, with type, NOT NULL and default), constraints and indexes."""
    with engine.connect() as connection:
        return {
            "columns": [tuple(r) for r in connection.execute(sa.text("""
                SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                       pg_catalog.pg_get_expr(d.adbin, d.adrelid)
                FROM pg_catalog.pg_attribute AS a
                LEFT JOIN pg_catalog.pg_attrdef AS d
                    ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = CAST(:t AS regclass) AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum"""), {"t": table})],
            "constraints": [tuple(r) for r in connection.execute(sa.text("""
                SELECT conname, pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint
                WHERE conrelid = CAST(:t AS regclass) ORDER BY conname"""), {"t": table})],
            "indexes": [tuple(r) for r in connection.execute(sa.text("""
                SELECT indexname, indexdef FROM pg_catalog.pg_indexes
                WHERE schemaname || '.' || tablename = :t ORDER BY indexname"""), {"t": table})],
        }  # fmt: skip


def test_archive_tables_are_built_as_the_application_builds_them(
    database_url: sa.URL, engine: sa.Engine, pg_server: sa.URL, mode: str
) -> None:
    aria_database(database_url, "feb18")  # an application too old to have made them
    upgrade_head(database_url, mode)

    with fresh_database(pg_server) as application_url:
        aria_database(application_url, "feb18")
        install_maintenance(application_url)  # the application's own first cleanup makes them
        application = sa.create_engine(application_url, poolclass=sa.pool.NullPool)
        for table in ARCHIVE:
            assert shape(engine, table) == shape(application, table)
        application.dispose()
    assert shape(engine, ARCHIVE[1])["columns"][13][:2] == ("embedding", "jsonb")  # no pgvector


def test_archive_tables_the_application_made_are_used_as_they_are(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    aria_database(database_url, "current")
    before = {table: shape(engine, table) for table in ARCHIVE}
    alembic("upgrade", "head", database_url=database_url)
    assert {table: shape(engine, table) for table in ARCHIVE} == before


def test_an_archive_table_missing_columns_fails_clearly(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    aria_database(database_url, "feb18")
    run_sql(database_url, "CREATE TABLE aria_engine.chat_sessions_archive (id uuid PRIMARY KEY)")
    result = alembic("upgrade", "head", database_url=database_url, check=False)
    assert failure(result).startswith(
        "FAILED: existing table aria_engine.chat_sessions_archive lacks column(s) this project "
        "relies on: agent_id, session_type, title"
    )
    assert version(engine) == []


def test_downgrade_keeps_the_archive_and_a_record_that_holds_rows(
    database_url: sa.URL, engine: sa.Engine, pg_server: sa.URL
) -> None:
    aria_database(database_url, "feb18")
    alembic("upgrade", "head", database_url=database_url)
    alembic("downgrade", ARCHIVE_AND_RECORD, database_url=database_url)
    refused = alembic("downgrade", "-1", database_url=database_url, check=False)
    assert failure(refused).startswith(
        "FAILED: refusing to drop public.s8_06_carried_messages: it holds rows"
    )
    assert version(engine) == [ARCHIVE_AND_RECORD]

    with fresh_database(pg_server) as empty:  # nothing was ever carried: the record goes
        alembic("upgrade", "head", database_url=empty)
        alembic("downgrade", "0003_s8_06_openclaw_history", database_url=empty)
        check = sa.create_engine(empty, poolclass=sa.pool.NullPool)
        with check.connect() as connection:
            assert connection.scalar(sa.text("SELECT to_regclass('public.s8_06_runs')")) is None
            for table in ARCHIVE:  # the application's: they stay
                assert connection.scalar(sa.text(f"SELECT to_regclass('{table}')")) is not None
        check.dispose()
