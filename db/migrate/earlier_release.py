"""Adopting what an earlier release of a data revision carried without keeping a record:
its rows are recognised by their envelope (``carried_from``), moved where they belong, and
recorded, so that from then on the record tells them apart from what a user made.

Generic: it knows live and archive tables, ids and the envelope, nothing of the mapping.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from db.migrate.envelope import carried_from
from db.migrate.record import held


def moved_to_archive(
    live: sa.TableClause, archive: sa.TableClause, *where: sa.ColumnElement[bool]
) -> sa.Insert:
    """The rows of ``live`` that match ``where``, deleted there and inserted into
    ``archive`` (same columns, plus ``archived_at`` now) in one statement, so that no row is
    ever in neither; one whose id the archive holds already keeps the archive's copy."""
    moved = sa.delete(live).where(*where).returning(live.c.id).cte("moved")
    # The rest of the statement reads the table as it was before the DELETE (one snapshot).
    columns = [column.name for column in live.c]
    rows = sa.select(*live.c, sa.func.current_timestamp().label("archived_at")).where(
        live.c.id.in_(sa.select(moved.c.id))
    )
    return (
        postgresql.insert(archive)
        .from_select([*columns, "archived_at"], rows)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def record_found(
    tables: tuple[sa.TableClause, ...], record: sa.TableClause, migrated_from: str,
    run: sa.ColumnElement[Any],
) -> sa.Insert:  # fmt: skip
    """Every row of ``tables`` carried from ``migrated_from`` that ``record`` does not hold
    yet, recorded under ``run`` as an earlier release's."""
    found = sa.union(
        *(sa.select(t.c.id).where(carried_from(t, migrated_from), ~held(record, t.c.id))
          for t in tables)
    ).subquery("found")  # fmt: skip
    return sa.insert(record).from_select(
        ["id", "run", "earlier_release"],
        sa.select(found.c.id, run.label("run"), sa.true().label("earlier_release")),
    )
