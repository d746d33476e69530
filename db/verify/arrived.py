"""Arrived since the last run, or lost: which legacy rows no run has read yet.

The application keeps writing the legacy tables after a deploy (skill runs, sentiment
scoring), so a legacy row the record does not hold is one of two things: it arrived after
the last run read the tables (the next carry takes it), or a run read it and it is not
there (a loss). Each run records the snapshot it read under (``read_snapshot``, 0006); a row
was there when the last run read the tables exactly when that snapshot sees the transaction
that wrote it (its ``xmin``). A row updated since it was written carries the update's
``xmin``: one a run read and then lost that the application then updated counts as arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

# The snapshot the last run read the legacy tables under, and the current snapshot's xmax
# (a 64-bit transaction id, which gives the epoch a 32-bit xmin lacks).
LAST_SNAPSHOT = (
    "(SELECT r.read_snapshot FROM public.s8_06_runs AS r "
    "WHERE r.read_snapshot IS NOT NULL ORDER BY r.run DESC LIMIT 1)"
)
NOW = "(SELECT pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::bigint)"


@dataclass(frozen=True)
class Arrived:
    """The times of the oldest and newest row that arrived since the last run."""

    oldest: datetime | None = None
    newest: datetime | None = None

    def widened(self, oldest: datetime | None, newest: datetime | None) -> Arrived:
        lows = [t for t in (self.oldest, oldest) if t is not None]
        highs = [t for t in (self.newest, newest) if t is not None]
        return Arrived(min(lows) if lows else None, max(highs) if highs else None)


def snapshot_recorded(connection: sa.Connection) -> bool:
    """A run recorded the snapshot it read under (the record is at 0006 or later)."""
    return bool(
        connection.scalar(
            sa.text(
                "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = "
                "'public' AND table_name = 's8_06_runs' AND column_name = 'read_snapshot')"
            )
        )
        and connection.scalar(sa.text(f"SELECT {LAST_SNAPSHOT} IS NOT NULL"))
    )


def read_by_last_run(table: sa.Table | sa.TableClause, snapshot: bool) -> sa.ColumnElement[bool]:
    """The row was there when the last run read the tables: that run's snapshot sees the
    transaction that wrote it (``xmin``, widened to 64 bits with the current epoch). ``xmin``
    1 and 2 (bootstrap, frozen) are older than any run. Without a snapshot every row counts
    as read, as before 0006."""
    if not snapshot:
        return sa.true()
    xmin = f"{table.name}.xmin::text::bigint"
    epoch = f"(({NOW} >> 32) << 32)"
    widened = f"({epoch} + {xmin} - CASE WHEN {epoch} + {xmin} > {NOW} THEN 4294967296 ELSE 0 END)"
    return sa.literal_column(
        f"(CASE WHEN {xmin} < 3 THEN true ELSE pg_catalog.pg_visible_in_snapshot("
        f"{widened}::text::xid8, {LAST_SNAPSHOT}::pg_snapshot) END)",
        sa.Boolean,
    )


@dataclass(frozen=True)
class SinceLastRun:
    """What the record says of the last run that read under a snapshot, and the legacy
    rows it did not read and no run carried."""

    run: int
    began_at: datetime
    sessions: int
    messages: int

    @property
    def nothing(self) -> bool:
        return not (self.sessions or self.messages)


def arrived_counts(legacy_schema: str, names: tuple[str, str] = ("agent_sessions",
                   "session_messages")) -> sa.Select[Any]:  # fmt: skip
    """One row: the legacy sessions and messages (tables ``names`` in ``legacy_schema``) that
    no run carried and the last run's snapshot cannot see."""
    counts = []
    for table, record in zip(names, ("s8_06_carried_sessions", "s8_06_carried_messages"),
                             strict=True):  # fmt: skip
        legacy = sa.table(table, sa.column("id", sa.Uuid), schema=legacy_schema)
        carried = sa.table(record, sa.column("id", sa.Uuid), schema="public")
        counts.append(
            sa.select(sa.func.count()).select_from(legacy).where(
                ~sa.exists().where(carried.c.id == legacy.c.id),
                ~read_by_last_run(legacy, snapshot=True),
            ).scalar_subquery()
        )  # fmt: skip
    return sa.select(counts[0].label("sessions"), counts[1].label("messages"))


def since_last_run(connection: sa.Connection, legacy_schema: str) -> SinceLastRun | None:
    """The legacy rows that arrived since the last run; None where no run recorded the
    snapshot it read under (then what arrived cannot be told from what was read)."""
    if not snapshot_recorded(connection):
        return None
    run, began_at = connection.execute(sa.text(
        "SELECT run, began_at FROM public.s8_06_runs WHERE read_snapshot IS NOT NULL "
        "ORDER BY run DESC LIMIT 1"
    )).one()  # fmt: skip
    sessions, messages = connection.execute(arrived_counts(legacy_schema)).one()
    return SinceLastRun(run, began_at, sessions, messages)
