"""A data revision's plan: what it will write, decided once, in temporary tables that the
statements after it read instead of reading the source again.

In one transaction the plan goes with the commit (``ON COMMIT DROP``). A run in batches
commits many times, so there the plan keeps its rows (``PRESERVE ROWS``), gets the primary
key its batches walk and the indexes they look rows up by, and is dropped by the run.
Either way it is analyzed: autovacuum never sees temporary tables, and the joins that
read the plan need its real row counts.

Generic: it knows temporary tables, keys and indexes, nothing of what a revision moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from db.migrate.layout import Step, plain, step

SCHEMA = "pg_temp"  # this session's own schema: a concurrent run cannot see or clash with it


@dataclass(frozen=True)
class PlanTable:
    table: sa.TableClause  # its stub, in pg_temp, for the statements that read it
    rows: sa.Select[Any]  # what it holds
    key: str  # one row per key: the column batches walk
    what: str  # its step's comment
    looked_up_by: tuple[str, ...] = ()  # columns a batch finds rows by (indexed when batched)


def planned(tables: Sequence[PlanTable], batched: bool, name: str = "plan") -> list[Step]:
    """Create and fill ``tables`` in order (a later one may read an earlier one), each a
    step called ``name``; keys and indexes only where batches need them; then analyze."""
    on_commit = "PRESERVE ROWS" if batched else "DROP"
    statements: list[Step] = []
    for plan in tables:
        qualified = f"{SCHEMA}.{plan.table.name}"
        create = f"CREATE TEMPORARY TABLE {qualified} ON COMMIT {on_commit} AS"
        statements.append(step(name, plan.what, plan.rows, before=create))
        if batched:
            key = f"ALTER TABLE {qualified} ADD PRIMARY KEY ({plan.key})"
            statements.append(plain(name, "the key the batches walk", key))
            statements += [
                plain(name, f"each batch finds its rows of {plan.table.name} by {column}",
                      f"CREATE INDEX ON {qualified} ({column})")
                for column in plan.looked_up_by
            ]  # fmt: skip
    statements += [
        plain(name, f"row counts of {plan.table.name} for the planner (autovacuum never sees "
              "temporary tables)", f"ANALYZE {SCHEMA}.{plan.table.name}")
        for plan in tables
    ]  # fmt: skip
    return statements


def dropped(tables: Sequence[PlanTable]) -> list[sa.TextClause]:
    """A batched run's plan, dropped once the run is done (one transaction drops its own)."""
    return [sa.text(f"DROP TABLE {SCHEMA}.{plan.table.name}") for plan in tables]
