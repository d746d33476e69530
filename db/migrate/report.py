"""The figures a data revision logs after it ran: read from its plan (what the run read)
and the statements' own row counts, never a write.

The plan is two tables: one row per legacy session (``session_id``, ``carried``: the record
held it already, ``clash``: an engine row the migration did not make holds its id), and one
per legacy message (``message_id``, ``carried``, ``reason``: NULL when it was placed,
``placed_by``: what named its session).
Every query is tagged ``/* s8_06 report */`` so that a reviewer comparing the statements
sent online with ``--sql`` can tell them apart.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from db.migrate.batches import RowsWritten
from db.migrate.expressions import lit

FIRST_IDS = 5
LIVE_SESSIONS, ARCHIVED_SESSIONS = "chat_sessions", "chat_sessions_archive"
LIVE_MESSAGES, ARCHIVED_MESSAGES = "chat_messages", "chat_messages_archive"


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def log_report(
    connection: sa.Connection,
    log: logging.Logger,
    sessions: sa.TableClause,
    messages: sa.TableClause,
    written: RowsWritten,
    found: RowsWritten,
    nothing_read: str,
) -> None:
    """``written``: the run's inserts and updates of the engine tables; ``found``: what
    adopting an earlier release's rows moved to the archive and recorded."""

    def read(query: Any) -> Any:
        return connection.execute(query.prefix_with("/* s8_06 report */"))

    def counts(table: sa.TableClause, *flags: sa.ColumnElement[Any]) -> tuple[int, ...]:
        return tuple(read(sa.select(sa.func.count(), *(sa.func.count().filter(f) for f in flags))
                          .select_from(table)).one())  # fmt: skip

    def n(count: int) -> str:
        return f"{count:,}"

    adopted = found.inserted
    if adopted["s8_06_carried_sessions"] or adopted["s8_06_carried_messages"]:
        log.info("S8-06 rows an earlier release carried, recorded now: %s session(s), %s "
                 "message(s); %s of its sessions without a message moved to %s; %s with no "
                 "token or cost total given 0", n(adopted["s8_06_carried_sessions"]),
                 n(adopted["s8_06_carried_messages"]), n(adopted[ARCHIVED_SESSIONS]),
                 ARCHIVED_SESSIONS, n(found.updated[LIVE_SESSIONS]))  # fmt: skip
    read_sessions, carried, clashes = counts(sessions, sessions.c.carried, sessions.c.clash)
    read_messages, messages_carried = counts(messages, messages.c.carried)
    unplaced = dict(list(read(
        sa.select(messages.c.reason, sa.func.count())
        .where(messages.c.reason.is_not(None)).group_by(messages.c.reason)
    )))  # fmt: skip
    inserted = written.inserted
    log.info("S8-06 sessions: %s legacy, %s into %s, %s into %s, %s already carried, "
             "%s clashes", n(read_sessions), n(inserted[LIVE_SESSIONS]), LIVE_SESSIONS,
             n(inserted[ARCHIVED_SESSIONS]), ARCHIVED_SESSIONS, n(carried),
             n(clashes))  # fmt: skip
    log.info("S8-06 messages: %s legacy, %s into %s, %s into %s, %s already carried, "
             "%s not placed", n(read_messages), n(inserted[LIVE_MESSAGES]), LIVE_MESSAGES,
             n(inserted[ARCHIVED_MESSAGES]), ARCHIVED_MESSAGES, n(messages_carried),
             n(sum(unplaced.values())))  # fmt: skip
    for reason, count in sorted(unplaced.items()):
        log.info("S8-06 messages not placed (%s): %s", reason, n(count))
    placed_by = dict(list(read(
        sa.select(messages.c.placed_by, sa.func.count())
        .where(messages.c.reason.is_(None), ~messages.c.carried).group_by(messages.c.placed_by)
    )))  # fmt: skip
    if placed_by:
        keys = sorted(placed_by.items(), key=_by_count)
        log.info("S8-06 messages placed by: %s", ", ".join(f"{k} {n(c)}" for k, c in keys))
    if written.by_step["late messages"]:
        log.info("S8-06 sessions brought up to date with late messages: %s",
                 n(written.by_step["late messages"]))  # fmt: skip
    if written.by_step["titles"]:
        log.info("S8-06 sessions titled from their first user message: %s",
                 n(written.by_step["titles"]))  # fmt: skip
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
