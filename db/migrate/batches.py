"""Run machinery for data revisions that work in keyset batches, each committed on its own.

Generic: it knows keys, ranges, transactions and rates, nothing of what a revision moves.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from db.migrate.expressions import lit
from db.migrate.record import written_table

Batch = tuple[Any, Any]  # (lower, upper] of keys; lower None for the first batch


def within(batch: Batch | None, key: sa.ColumnElement[Any]) -> list[sa.ColumnElement[bool]]:
    """The conditions that keep ``key`` inside ``batch`` (none when not batching)."""
    if batch is None:
        return []
    lower, upper = batch
    return [key <= lit(upper)] + ([] if lower is None else [key > lit(lower)])


def keyset_batches(
    connection: sa.Connection, key: sa.ColumnElement[Any], size: int
) -> Iterator[Batch]:
    """(lower, upper] ranges of ``size`` keys each (the last may hold fewer), found by
    walking an index on ``key``: no OFFSET, so each step costs the same however far along
    it is, and a key is in exactly one range."""
    lower = None
    while True:
        page = sa.select(key.label("key")).order_by(key).limit(lit(size))
        if lower is not None:
            page = page.where(key > lit(lower))
        last = page.subquery("page")
        upper = connection.scalar(sa.select(last.c.key).order_by(last.c.key.desc()).limit(1))
        if upper is None:
            return
        yield lower, upper
        lower = upper


def analyzed_after(number: int) -> bool:
    """Whether the tables the batches write get fresh statistics after batch ``number``
    (counted from 1): after batches 1, 2, 4, 8, …, so a table never grows more than twice
    over past what the planner was last told of it, for log2(batches) ANALYZEs in all."""
    return number > 0 and number & (number - 1) == 0


@contextmanager
def committed(connection: sa.Connection) -> Iterator[None]:
    """One transaction on a connection in autocommit mode (inside Alembic's
    ``autocommit_block``): what the block sends is committed together or not at all, also
    when the client is killed half way. Through the driver's own transaction block."""
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection is closed")
    with driver.transaction():
        yield


class Progress:
    """One log line per committed batch: done of total, rate, and time left."""

    def __init__(self, log: logging.Logger, what: str, total: int) -> None:
        self.log, self.what, self.total = log, what, total
        self.done = 0
        self.started = time.monotonic()

    def step(self, rows: int) -> None:
        self.done = min(self.done + rows, self.total)
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        left = (self.total - self.done) / rate if rate else 0
        self.log.info(
            "%s: %s / %s done (%d%%), %s/s, about %.0f s left",
            self.what, f"{self.done:,}", f"{self.total:,}",
            100 * self.done // max(self.total, 1), f"{rate:,.0f}", left,
        )  # fmt: skip


class RowsWritten:
    """Rows each INSERT / UPDATE into the given tables reported, summed over a run, read
    from the driver as statements end; never a query of its own. A ``recorded`` insert
    counts for the table it writes, not for its record (``db/migrate/record.py``); a step's
    rows count for its name too (``by_step``), so two steps updating one table stay apart."""

    def __init__(self, connection: sa.Connection, *tables: sa.TableClause) -> None:
        self.connection, self.tables = connection, tables
        self.inserted: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.by_step: Counter[str] = Counter()
        sa.event.listen(connection, "after_cursor_execute", self._count)

    def _count(self, _conn: Any, cursor: Any, _sql: str, _params: Any, execution: Any,
               _many: bool) -> None:  # fmt: skip
        sent = getattr(getattr(execution, "compiled", None), "statement", None)
        statement = getattr(sent, "writes", sent)  # a laid-out step: what it writes
        if not isinstance(statement, sa.Insert | sa.Update):
            return
        table = written_table(statement)
        if table in self.tables:
            counter = self.inserted if isinstance(statement, sa.Insert) else self.updated
            counter[table.name] += max(cursor.rowcount, 0)
            if statement is not sent and sent is not None:
                self.by_step[sent.name] += max(cursor.rowcount, 0)

    def stop(self) -> None:
        sa.event.remove(self.connection, "after_cursor_execute", self._count)
