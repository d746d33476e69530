"""Is anything still using the legacy tables? The server's own per-table counters, over a
watch window, and the foreign keys other tables hold on them.

The counters (``pg_stat_all_tables``: rows inserted, updated, deleted; sequential and index
scans) are cumulative and reach the view a little after the transaction that moved them (up
to about a second on PostgreSQL 15 and later, half a second before), so a window of minutes
sees every writer and reader that ran in it. Each sample is read on a connection of its own,
which reads nothing else, so the watch itself moves no counter.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

COUNTERS = {
    "n_tup_ins": ("rows inserted", "writes"),
    "n_tup_upd": ("rows updated", "writes"),
    "n_tup_del": ("rows deleted", "writes"),
    "seq_scan": ("sequential scans", "reads"),
    "idx_scan": ("index scans", "reads"),
}
# A closed connection's counters reach the view a moment after it ends (its backend sends
# them as it exits): long enough to let the command's own checks land before the watch.
SETTLE = 2.0
_WINDOW = re.compile(r"^([0-9]+(?:\.[0-9]+)?) ?(s|min|h)$")
_SECONDS = {"s": 1, "min": 60, "h": 3600}


def window_seconds(text: str) -> float:
    """``10min``, ``90s``, ``1h`` as seconds; ValueError for anything else."""
    found = _WINDOW.match(text.strip())
    if not found:
        raise ValueError(f"a duration such as 10min, 90s or 1h; got {text!r}")
    return float(found.group(1)) * _SECONDS[found.group(2)]


def sample(engine: sa.Engine, tables: Sequence[str]) -> dict[str, dict[str, int]]:
    """Each table's counters now, read on a fresh connection (``schema.table`` names)."""
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_catalog.pg_stat_clear_snapshot()"))
        found = {}
        for table in tables:
            schema, name = table.split(".", 1)
            row = connection.execute(
                sa.text(f"SELECT {', '.join(COUNTERS)} FROM pg_catalog.pg_stat_all_tables "
                        "WHERE schemaname = :schema AND relname = :name"),
                {"schema": schema, "name": name},
            ).one()  # fmt: skip
            found[table] = {key: int(value or 0) for key, value in zip(COUNTERS, row, strict=True)}
        connection.rollback()
    return found


@dataclass(frozen=True)
class Use:
    table: str
    counter: str
    count: int

    def said(self, window: str) -> str:
        what, kind = COUNTERS[self.counter]
        verb = "writes" if kind == "writes" else "reads"
        return (
            f"{self.table}: {self.count:,} {what} in the last {window} — something still {verb} it"
        )


def watch(
    engine: sa.Engine, tables: Sequence[str], seconds: float,
    said: Callable[[str], None] = lambda _: None,
) -> list[Use]:  # fmt: skip
    """What used ``tables`` over ``seconds``: every counter that moved, writes first. The
    caller's own reads, on connections closed just before, reach the view first."""
    time.sleep(SETTLE)
    before = sample(engine, tables)
    said(f"watching {', '.join(tables)} for {seconds:g} s: nothing may write or read them")
    time.sleep(seconds)
    after = sample(engine, tables)
    uses = [
        Use(table, counter, after[table][counter] - before[table][counter])
        for table in tables
        for counter in COUNTERS
        if after[table][counter] != before[table][counter]
    ]
    return sorted(uses, key=lambda use: COUNTERS[use.counter][1] != "writes")


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key another table holds on one of the legacy tables."""

    name: str
    table: str  # the referencing table, schema-qualified
    definition: str  # as PostgreSQL prints it

    def said(self) -> str:
        return f"{self.table}.{self.name}: {self.definition}"


def foreign_keys_on(connection: sa.Connection, tables: Sequence[str]) -> list[ForeignKey]:
    """The foreign keys other tables hold on ``tables`` (``schema.table``), by name."""
    rows = connection.execute(
        sa.text("""
            SELECT c.conname, n.nspname || '.' || t.relname, pg_catalog.pg_get_constraintdef(c.oid)
            FROM pg_catalog.pg_constraint AS c
            JOIN pg_catalog.pg_class AS t ON t.oid = c.conrelid
            JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace
            WHERE c.contype = 'f' AND c.confrelid = ANY (
                SELECT pg_catalog.to_regclass(name) FROM unnest(CAST(:tables AS text[])) AS name
            ) AND c.conrelid <> ALL (
                SELECT pg_catalog.to_regclass(name) FROM unnest(CAST(:tables AS text[])) AS name
            )
            ORDER BY 2, 1"""),
        {"tables": list(tables)},
    )  # fmt: skip
    return [ForeignKey(name, table, definition) for name, table, definition in rows]
