"""A data revision's record of what it wrote, kept in the statement that writes it.

``recorded(insert, record, run)`` turns ``INSERT INTO target … ON CONFLICT DO NOTHING`` into
``WITH written AS (INSERT … RETURNING id) INSERT INTO record (id, run) SELECT id, run FROM
written``: the record holds exactly the rows the insert wrote (a row skipped on conflict is
not there), in the same transaction, and nothing can come between the two.

Generic: it knows an ``id`` column and a run number, nothing of what a revision moves.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from db.migrate.expressions import lit


def this_run(runs: sa.TableClause) -> sa.ScalarSelect[Any]:
    """The newest run: the one this transaction started, read once per statement (an
    uncorrelated scalar subquery). No other run can have started since: online runs queue
    on the deploy lock, and a second script applied meanwhile fails on the run's primary key
    (``start_run``). A run that commits as it goes uses its number as a literal instead."""
    return sa.select(sa.func.max(runs.c.run).label("run")).scalar_subquery()


def start_run(runs: sa.TableClause, when: sa.ColumnElement[bool], **values: Any) -> sa.Insert:
    """A new run numbered after the newest, if ``when`` holds. No sequence: a rehearsal
    rolled back leaves nothing behind, and a run with nothing to record leaves no row (the
    record stays empty, and a downgrade may still drop it)."""
    number = sa.func.coalesce(this_run(runs), lit(0)) + lit(1)
    columns = [number.label("run"), *(lit(value).label(key) for key, value in values.items())]
    return sa.insert(runs).from_select(["run", *values], sa.select(*columns).where(when))


def recorded(insert: sa.Insert, record: sa.TableClause, run: sa.ColumnElement[Any]) -> sa.Insert:
    """``insert``, its written ids kept in ``record`` under ``run`` by the same statement."""
    written = insert.returning(insert.table.c.id).cte("written")
    # In id order: the record's primary key then grows page by page instead of taking each
    # random id wherever it falls (half the time at 2M ids, docs/benchmark.md).
    return sa.insert(record).from_select(
        ["id", "run"], sa.select(written.c.id, run.label("run")).order_by(written.c.id)
    )


def held(table: sa.TableClause, key: sa.ColumnElement[Any]) -> sa.Exists:
    """``key`` is an id ``table`` holds (a record, or an engine table)."""
    return sa.exists().where(table.c.id == key)


def carried_into(
    target: sa.TableClause, record: sa.TableClause, values: dict[str, Any],
    source: sa.FromClause, envelope: sa.FromClause, run: sa.ColumnElement[Any],
) -> sa.Insert:  # fmt: skip
    """``values`` (column of ``target``: expression over ``source`` and its ``envelope``, a
    lateral built per row) inserted into ``target``, archived now if it is an archive
    table; each id written recorded under ``run``. A row whose id is there already is
    skipped, and not recorded: ``record`` then holds exactly what this statement wrote."""
    if "archived_at" in target.c:
        values = {**values, "archived_at": sa.func.current_timestamp()}
    rows = sa.select(*(value.label(key) for key, value in values.items())).join_from(
        source, envelope, sa.true()
    )
    insert = postgresql.insert(target).from_select(list(values), rows)
    return recorded(insert.on_conflict_do_nothing(index_elements=["id"]), record, run)


def written_table(statement: sa.Insert | sa.Update) -> sa.TableClause:
    """The table whose rows ``statement`` counts: for a ``recorded`` insert, the one its
    ``written`` CTE inserts into (the record gets as many rows), else its own."""
    if isinstance(statement, sa.Insert) and statement.select is not None:
        for source in statement.select.get_final_froms():
            if isinstance(source, sa.CTE) and isinstance(source.element, sa.Insert):
                return source.element.table
    return statement.table  # type: ignore[return-value]
