"""Read back what a database holds, to compare before and after."""

from __future__ import annotations

import re
import subprocess

import sqlalchemy as sa

from db.connection.throwaway import psql_executable, psql_url
from db.deploy.version_table import NAME, SCHEMA

OURS = f"{SCHEMA}.{NAME}"
APPLICATIONS = "public.alembic_version"
TABLES = (
    "public.agent_sessions",
    "public.session_messages",
    "aria_engine.chat_sessions",
    "aria_engine.chat_messages",
    "aria_engine.chat_sessions_archive",
    "aria_engine.chat_messages_archive",
)
RECORD = ("public.s8_06_carried_sessions", "public.s8_06_carried_messages")


def rows(connection: sa.Connection, table: str) -> list[tuple[object, ...]]:
    """Every row of ``table`` as text, in id order (empty if the table does not exist)."""
    if connection.scalar(sa.text("SELECT to_regclass(:t)"), {"t": table}) is None:
        return []
    return [
        tuple(row)
        for row in connection.exec_driver_sql(f"SELECT t::text FROM {table} AS t ORDER BY t.id")
    ]


def all_rows(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as connection:
        return {table: rows(connection, table) for table in TABLES}


MIGRATION_DATE = re.compile(r'""migration_date"": ""[^"]*""')
LAST_COLUMN = re.compile(r",[^,]*\)$")  # an archive row's archived_at


def comparable(engine: sa.Engine) -> dict[str, list[str]]:
    """``all_rows`` minus the run's own clock (``migration_date``, an archive row's
    ``archived_at``), the values two runs over the same data may not share; and the ids the
    record holds (not the runs they were carried by)."""

    def clean(table: str, text: str) -> str:
        text = MIGRATION_DATE.sub("", text)
        return LAST_COLUMN.sub(")", text) if table.endswith("_archive") else text

    found = {table: [clean(table, str(row[0])) for row in table_rows]
             for table, table_rows in all_rows(engine).items()}  # fmt: skip
    with engine.connect() as connection:
        for table in RECORD:
            found[table] = [
                str(row[0]).strip("()").split(",")[0] for row in rows(connection, table)
            ]
    return found


def columns(engine: sa.Engine, table: str) -> list[str]:
    schema, name = table.split(".")
    with engine.connect() as connection:
        return list(
            connection.scalars(
                sa.text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = :s AND table_name = :n ORDER BY ordinal_position"
                ),
                {"s": schema, "n": name},
            )
        )


def version(engine: sa.Engine, table: str = OURS) -> list[str]:
    """The revision ids ``table`` records (ours by default), sorted; [] if it is absent."""
    with engine.connect() as connection:
        if connection.scalar(sa.text("SELECT to_regclass(:t)"), {"t": table}) is None:
            return []
        return list(
            connection.scalars(sa.text(f"SELECT version_num FROM {table} ORDER BY version_num"))
        )


def run_sql_file(engine: sa.Engine, sql: str) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(sql)


def dump(url: sa.URL) -> str:
    """pg_dump of the whole database (schema, rows, both version tables), to compare."""
    pg_dump = psql_executable().with_name("pg_dump")
    return subprocess.run(
        [str(pg_dump), "--no-sync", "--no-statistics", "--restrict-key=rehearsal", "-d",
         psql_url(url)],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
