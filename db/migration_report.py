"""The figures a data revision logs after it ran: read from its plan (what the run read)
and the statements' own row counts, never a write.

The plan is two tables: one row per legacy session (``session_id``, ``present``: an earlier
run migrated it, ``clash``: an engine row the migration did not make holds its id), and one
per legacy message (``message_id``, ``present``, ``reason``: NULL when it was placed).
Every query is tagged ``/* s8_06 report */`` so that a reviewer comparing the statements
sent online with ``--sql`` can tell them apart.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from db.batches import RowsWritten
from db.expressions import lit

FIRST_IDS = 5


def log_report(
    connection: sa.Connection,
    log: logging.Logger,
    sessions: sa.TableClause,
    messages: sa.TableClause,
    written: RowsWritten,
    nothing_read: str,
) -> None:
    def read(query: Any) -> Any:
        return connection.execute(query.prefix_with("/* s8_06 report */"))

    def counts(table: sa.TableClause, *flags: sa.ColumnElement[Any]) -> tuple[int, ...]:
        return tuple(read(sa.select(sa.func.count(), *(sa.func.count().filter(f) for f in flags))
                          .select_from(table)).one())  # fmt: skip

    read_sessions, present, clashes = counts(sessions, sessions.c.present, sessions.c.clash)
    read_messages, messages_present = counts(messages, messages.c.present)
    unplaced = dict(list(read(
        sa.select(messages.c.reason, sa.func.count())
        .where(messages.c.reason.is_not(None)).group_by(messages.c.reason)
    )))  # fmt: skip
    log.info("S8-06 sessions: %s legacy, %s inserted, %s already present, %s clashes",
             f"{read_sessions:,}", f"{written.inserted['chat_sessions']:,}", f"{present:,}",
             f"{clashes:,}")  # fmt: skip
    log.info("S8-06 messages: %s legacy, %s inserted, %s already present, %s not placed",
             f"{read_messages:,}", f"{written.inserted['chat_messages']:,}",
             f"{messages_present:,}", f"{sum(unplaced.values()):,}")  # fmt: skip
    for reason, count in sorted(unplaced.items()):
        log.info("S8-06 messages not placed (%s): %s", reason, f"{count:,}")
    if written.updated["chat_sessions"]:
        log.info("S8-06 sessions brought up to date with late messages: %s",
                 f"{written.updated['chat_sessions']:,}")  # fmt: skip
    if not read_sessions:
        log.warning(nothing_read)
    for what, ids in (
        ("session", sa.select(sessions.c.session_id.label("id")).where(sessions.c.clash)),
        ("message", sa.select(messages.c.message_id.label("id"))
                    .where(messages.c.reason == lit("message id clash"))),
    ):  # fmt: skip
        first = [str(i) for i in read(ids.order_by("id").limit(FIRST_IDS)).scalars()]
        if first:
            log.warning(
                "S8-06 legacy %s id(s) already belong to engine rows this migration did not "
                "make; those were left as they are, and nothing was put into or over them. "
                "First: %s", what, ", ".join(first),
            )  # fmt: skip
