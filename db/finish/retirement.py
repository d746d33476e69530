"""The ticket's last step, as SQL: the legacy tables renamed ``agent_sessions_archived`` /
``session_messages_archived`` in their schema (retire), their names given back (undo), and
later dropped (drop); each in one transaction with a short lock timeout, and recorded in
``public.s8_06_retirements`` (when, which schema, by which role). A rename keeps every
foreign key other tables hold on them: the constraint follows its table.

Only SQL here; the checks that decide whether a step may run are ``db/finish/command.py``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from db.migrate.expressions import literal_sql
from db.verify.arrived import arrived_counts

RECORD = "public.s8_06_retirements"
TABLES = ("agent_sessions", "session_messages")
SUFFIX = "_archived"
KEEP_DAYS = 14  # the ticket: drop "after 2 weeks of successful operation"


def live_names(schema: str) -> list[str]:
    return [f"{schema}.{table}" for table in TABLES]


def retired_names(schema: str) -> list[str]:
    return [f"{schema}.{table}{SUFFIX}" for table in TABLES]


@dataclass(frozen=True)
class Retirement:
    id: int
    legacy_schema: str
    retired_at: datetime
    retired_by: str
    dropped_at: datetime | None

    @property
    def tables(self) -> list[str]:
        return retired_names(self.legacy_schema)


def current(connection: sa.Connection) -> Retirement | None:
    """The retirement in force (not undone), if the record exists and holds one."""
    if connection.scalar(sa.select(sa.func.to_regclass(RECORD))) is None:
        return None
    row = connection.execute(sa.text(
        f"SELECT id, legacy_schema, retired_at, retired_by, dropped_at FROM {RECORD} "
        "WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1"
    )).one_or_none()  # fmt: skip
    return None if row is None else Retirement(*row)


def _locked(names: list[str], lock_timeout: str) -> list[str]:
    return [f"SET LOCAL lock_timeout = '{lock_timeout}'",
            f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE"]  # fmt: skip


def _nothing_arrived(schema: str) -> str:
    """Checked again under the lock: a row written after the command's own checks stops the
    retirement, in one line, before anything is renamed."""
    counts = literal_sql(arrived_counts(schema))
    return f"""DO $arrived$
DECLARE
    sessions bigint;
    messages bigint;
BEGIN
    SELECT counted.sessions, counted.messages INTO sessions, messages FROM ({counts}) AS counted;
    IF sessions > 0 OR messages > 0 THEN
        RAISE EXCEPTION USING MESSAGE = sessions || ' session(s) and ' || messages
            || ' message(s) arrived since the last run: carry them first with alembic -x '
            || 'carry=arrived upgrade head; nothing was renamed';
    END IF;
END
$arrived$"""


def retire(schema: str, lock_timeout: str = "2s") -> list[str]:
    return [
        *_locked(live_names(schema), lock_timeout),
        _nothing_arrived(schema),
        *(f"ALTER TABLE {schema}.{table} RENAME TO {table}{SUFFIX}" for table in TABLES),
        f"INSERT INTO {RECORD} (id, legacy_schema, retired_by) SELECT coalesce(max(id), 0) + 1, "
        f"'{schema}', current_user FROM {RECORD}",
    ]


def undo(schema: str, lock_timeout: str = "2s") -> list[str]:
    taken = " OR ".join(f"pg_catalog.to_regclass('{name}') IS NOT NULL"
                        for name in live_names(schema))  # fmt: skip
    return [
        *_locked(retired_names(schema), lock_timeout),
        f"""DO $names$
BEGIN
    IF {taken} THEN
        RAISE EXCEPTION USING MESSAGE = 'a new table holds an old name in {schema}: '
            || 'nothing was renamed back';
    END IF;
END
$names$""",
        *(f"ALTER TABLE {schema}.{table}{SUFFIX} RENAME TO {table}" for table in TABLES),
        f"UPDATE {RECORD} SET undone_at = now(), undone_by = current_user "
        f"WHERE undone_at IS NULL AND legacy_schema = '{schema}'",
    ]


def drop(schema: str, constraints: list[tuple[str, str]], lock_timeout: str = "2s") -> list[str]:
    """``constraints``: (table, name) of the foreign keys to remove first, each named by the
    operator; the tables are dropped without CASCADE, so any other one stops the drop."""
    return [
        f"SET LOCAL lock_timeout = '{lock_timeout}'",
        *(f"ALTER TABLE {table} DROP CONSTRAINT {name}" for table, name in constraints),
        *(f"DROP TABLE {name}" for name in reversed(retired_names(schema))),
        f"UPDATE {RECORD} SET dropped_at = now(), dropped_by = current_user "
        f"WHERE undone_at IS NULL AND legacy_schema = '{schema}'",
    ]


def dump_command(schema: str) -> str:
    tables = " ".join(f"--table={name}" for name in retired_names(schema))
    return f'pg_dump {tables} "$DATABASE_URL" > openclaw-legacy.sql'
