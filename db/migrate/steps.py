"""A data revision's run log: each step (``db/migrate/layout.py``) said as it ends, with its
duration and the rows it wrote or read, so that an operator watching a long deploy sees it move.

Generic: it reads the driver's row count and a clock, never a query of its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from db.migrate.layout import Step


def _step(execution: Any) -> Step | None:
    statement = getattr(getattr(execution, "compiled", None), "statement", None)
    return statement if isinstance(statement, Step) else None


@contextmanager
def step_log(connection: sa.Connection, log: logging.Logger, prefix: str) -> Iterator[None]:
    """Log every step sent on ``connection`` in the block as it ends:
    ``PREFIX plan: every legacy session, …: 1,000,000 rows in 2.4 s``."""
    started: dict[int, float] = {}

    def before(_conn: Any, cursor: Any, *_: Any) -> None:
        started[id(cursor)] = time.monotonic()

    def after(_conn: Any, cursor: Any, _sql: str, _params: Any, execution: Any,
              _many: bool) -> None:  # fmt: skip
        step = _step(execution)
        began = started.pop(id(cursor), None)
        if step is None or began is None:
            return
        rows = f"{cursor.rowcount:,} rows" if cursor.rowcount >= 0 else "done"
        log.info("%s %s: %s in %.1f s", prefix, step.what, rows, time.monotonic() - began)

    sa.event.listen(connection, "before_cursor_execute", before)
    sa.event.listen(connection, "after_cursor_execute", after)
    try:
        yield
    finally:
        sa.event.remove(connection, "before_cursor_execute", before)
        sa.event.remove(connection, "after_cursor_execute", after)


def steps_said(log: logging.Logger, prefix: str) -> AbstractContextManager[None]:
    """In a revision: online, each step is logged as it ends; ``--sql`` only prints."""
    return nullcontext() if context.is_offline_mode() else step_log(op.get_bind(), log, prefix)
