"""S8-06: carry every OpenClaw session and message where the engine keeps them, once.

Revision ID: 0007_s8_06_placed_and_titled
Revises: 0006_s8_06_record_reads
Create Date: 2026-12-05

Data only. The legacy tables are read where they live, ``public`` or ``aria_data``
(``db/migrate/eras.py``); below, ``legacy`` stands for that schema. These statements, in
this order, the same online and in ``--sql`` for the same schema:

0. the deploy settings every revision sends first (``db/migrate/settings.py``), then the
   guard: it stops the run if ``legacy`` holds no row while the other era's tables do.
1. run: a new row in ``public.s8_06_runs``; every row this run carries is recorded under it.
2. adopt what an earlier release carried (0003 as released, which kept no record): its
   sessions without a message move from ``chat_sessions``, where the application's ghost
   purge deletes them, to ``chat_sessions_archive``; then every engine row it made, live or
   archived, is recorded (``earlier_release``). On any other database this finds nothing.
3. the plan, read once: every legacy message with the legacy session it goes to, or why
   it cannot (``placement``); every legacy session (``pinned``). A row the record holds was
   carried and is never written again, whatever became of it since.
4. sessions: those with a message -> aria_engine.chat_sessions; those without ->
   aria_engine.chat_sessions_archive (archived now), where the engine keeps retired sessions
   and lists past conversations, and no loop of the application deletes them.
5. messages -> chat_messages, or chat_messages_archive where their session is archived by
   now; 6. late messages: a session an earlier run carried counts the messages this run
   added to it, wherever it is now.
7. the proof: every pinned session and every placed message is in the record (written by
   this run or an earlier one), or the upgrade raises and rolls back. What the application
   did to a row after it was written cannot fail it.

Each insert records the ids it wrote in the same statement (``db/migrate/record.py``).
Every value is rendered into the SQL, never bound: what runs online is byte for byte what
``--sql`` prints. Online only, and only by reading, it also logs a report.

Online, a run with more than one batch's worth to carry (``to_carry``) runs 4 to 6 in keyset
batches of pinned sessions, each with its messages, committed on its own; a run killed at
any moment finishes on the next ``upgrade`` with nothing missing and nothing twice.
``-x batch_size=N`` and ``-x single_transaction=true`` force either; ``--sql`` is always
the one transaction. ``db/migrate/run.py`` sends, either way, what ``carrying`` hands it.

Why this file is longer than the ~400 lines a module aims for: it is the mapping, and
nothing else. Every generic piece lives in ``db/migrate/`` (the run, its mode and batches,
the plan's temporary tables, the proof, the record's insert, an earlier release's adoption,
steps, layout); what is left is this revision's own: the stubs of the schema as
0001/0002/0004 left it (frozen here on purpose), the mapping table, and one builder per
statement, each of which decides where a legacy row goes and what it becomes. Cutting it
further would scatter one mapping over files that a reviewer must then read side by side.
"""

import logging
from collections.abc import Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB

from db.migrate.batches import Batch, within
from db.migrate.earlier_release import moved_to_archive, record_found
from db.migrate.envelope import carried_from, envelope, envelope_json
from db.migrate.eras import guard, legacy_schema
from db.migrate.expressions import blank, field, lit, name_field, text_or_null
from db.migrate.layout import Step, analyzed, step
from db.migrate.plan import PlanTable
from db.migrate.proof import proof
from db.migrate.record import carried_into, held, start_run, this_run
from db.migrate.report import log_report
from db.migrate.run import Carry, in_one_transaction, run
from db.migrate.settings import Settings, deploy_settings
from db.migrate.titles import collapsed, cut, has_text

revision: str = "0007_s8_06_placed_and_titled"
down_revision: str | Sequence[str] | None = "0006_s8_06_record_reads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.s8_06")

# ── Stubs: the schema as 0001, 0002 and 0004 leave it, frozen here; the live models move on ──


class Legacy(NamedTuple):
    """The legacy tables, in the schema this deployment keeps them in."""

    session: sa.TableClause
    message: sa.TableClause


def legacy_tables(schema: str = "public") -> Legacy:
    session = sa.table(
        "agent_sessions",
        sa.column("id", sa.Uuid),
        sa.column("agent_id", sa.String),
        sa.column("session_type", sa.String),
        sa.column("started_at", sa.DateTime(timezone=True)),
        sa.column("ended_at", sa.DateTime(timezone=True)),
        sa.column("messages_count", sa.Integer),
        sa.column("tokens_used", sa.Integer),
        sa.column("cost_usd", sa.Numeric),
        sa.column("status", sa.String),
        sa.column("metadata", JSONB),
        schema=schema,
    )
    message = sa.table(
        "session_messages",
        sa.column("id", sa.Uuid),
        sa.column("session_id", sa.Uuid),
        sa.column("external_session_id", sa.String),
        sa.column("agent_id", sa.String),
        sa.column("role", sa.String),
        sa.column("content", sa.Text),
        sa.column("content_hash", sa.String),
        sa.column("source_channel", sa.String),
        sa.column("metadata", JSONB),
        sa.column("created_at", sa.DateTime(timezone=True)),
        schema=schema,
    )
    return Legacy(session, message)


def _archived_at(archived: bool) -> list[sa.ColumnClause[Any]]:
    return [sa.column("archived_at", sa.DateTime(timezone=True))] if archived else []


def _engine_session(name: str, archived: bool = False) -> sa.TableClause:
    return sa.table(
        name,
        sa.column("id", sa.Uuid),
        sa.column("agent_id", sa.String),
        sa.column("session_type", sa.String),
        sa.column("title", sa.String),
        sa.column("system_prompt", sa.Text),
        sa.column("model", sa.String),
        sa.column("temperature", sa.Double),
        sa.column("max_tokens", sa.Integer),
        sa.column("context_window", sa.Integer),
        sa.column("status", sa.String),
        sa.column("message_count", sa.Integer),
        sa.column("total_tokens", sa.Integer),
        sa.column("total_cost", sa.Numeric),
        sa.column("metadata", JSONB),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
        sa.column("ended_at", sa.DateTime(timezone=True)),
        *_archived_at(archived),
        schema="aria_engine",
    )


def _engine_message(name: str, archived: bool = False) -> sa.TableClause:
    return sa.table(
        name,
        sa.column("id", sa.Uuid),
        sa.column("session_id", sa.Uuid),
        sa.column("role", sa.String),
        sa.column("content", sa.Text),
        sa.column("metadata", JSONB),
        sa.column("created_at", sa.DateTime(timezone=True)),
        *_archived_at(archived),
        schema="aria_engine",
    )


live_session, archived_session = (
    _engine_session("chat_sessions"), _engine_session("chat_sessions_archive", archived=True)
)  # fmt: skip
live_message, archived_message = (
    _engine_message("chat_messages"), _engine_message("chat_messages_archive", archived=True)
)  # fmt: skip
ENGINE_TABLES = (live_session, archived_session, live_message, archived_message)
# The record (0004): each run, and every legacy row carried, by its id.
runs = sa.table(
    "s8_06_runs", sa.column("run", sa.BigInteger), sa.column("legacy_schema", sa.Text),
    sa.column("read_snapshot", sa.Text), schema="public",
)  # fmt: skip
carried_session, carried_message = (
    sa.table(name, sa.column("id", sa.Uuid), sa.column("run", sa.BigInteger),
             sa.column("earlier_release", sa.Boolean), schema="public")
    for name in ("s8_06_carried_sessions", "s8_06_carried_messages")
)  # fmt: skip
# What the writes grow and the titles read: analyzed for the planner as it grows.
GROWN = (*ENGINE_TABLES, carried_session)
# The plan, in this session's temporary schema: one row per legacy message, and per session.
placement = sa.table(
    "s8_06_placement",
    sa.column("message_id", sa.Uuid),
    sa.column("session_id", sa.Uuid),
    sa.column("reason", sa.Text),  # NULL: it goes into session_id
    sa.column("placed_by", sa.Text),  # what named that session: session_id, or a metadata key
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("carried", sa.Boolean),  # the record holds it: never written again
    sa.column("late", sa.Boolean),  # to be written into a session an earlier run carried
    schema="pg_temp",
)
pinned = sa.table(
    "s8_06_sessions",
    sa.column("session_id", sa.Uuid),
    sa.column("carried", sa.Boolean),  # the record holds it: never written again
    sa.column("clash", sa.Boolean),  # an engine session this migration did not make has its id
    sa.column("placed", sa.Integer),  # the messages this run puts into it
    schema="pg_temp",
)

# ── The mapping ──

# Legacy session_type -> the engine's. The engine lists cron, swarm and subagent sessions
# as agent work, apart from the user's chats. NULL and any other value: interactive.
ENGINE_TYPES = ("chat", "interactive", "roundtable", "cron", "swarm", "subagent", "scoped")
SESSION_TYPES = {
    "openclaw": "interactive",
    "openclaw_main": "interactive",
    "openclaw_cron": "cron",
    "openclaw_heartbeat": "cron",
    "openclaw_subagent": "subagent",
    "openclaw_run": "subagent",
    "skill_exec": "subagent",
    **{engine_type: engine_type for engine_type in ENGINE_TYPES},
}
OTHER_TYPE = "interactive"
TITLE_MAX, MODEL_MAX = 500, 200  # aria_engine.chat_sessions.title / .model
# A message with no session_id goes to the legacy session whose metadata names its
# external_session_id under one of these keys, as the application resolves it: the first two
# up to 2026-02-18, the last two from 2026-02-19 on, when it renamed "openclaw" (rows written
# before keep the old key). Latest started_at first, then the greater id, over all three.
EXTERNAL_ID_KEYS = ("openclaw_session_id", "aria_session_id", "external_session_id")
BY_SESSION_ID = "session_id"
# A session with no usable label takes its first user message as the engine titles a chat
# (db/migrate/titles.py); the envelope's title_source says which.
FROM_LABEL, FROM_FIRST_USER_MESSAGE = "openclaw_session.label", "first user message"
# Where a session lands: with a message, the live table, where the application files it
# later by its own rules; without one, the archive, since the ghost purge deletes for good
# every live session whose message_count is 0.
LIVE, ARCHIVE = "live", "archive"
# A session with no time at all sorts with history: at the earliest start in the legacy
# sessions, else the earliest legacy message, else this (only when the data has no time).
NO_TIME_AT_ALL = "1970-01-01 00:00:00+00"
MIGRATED_SESSION, MIGRATED_MESSAGE = "agent_sessions", "session_messages"
NOTHING_READ = (
    "S8-06 read the legacy tables {session} and {message} and found no session in them: "
    "nothing was migrated; if this deployment's history lives in another schema, run again "
    "with -x legacy_schema=NAME"
)


def engine_type(session_type: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return sa.case({lit(k): lit(v) for k, v in SESSION_TYPES.items()}, value=session_type,
                   else_=lit(OTHER_TYPE))  # fmt: skip


def nothing_read_from(legacy: Legacy) -> str:
    s, m = legacy
    return NOTHING_READ.format(session=f"{s.schema}.{s.name}", message=f"{m.schema}.{m.name}")


def sessions_of(where: str) -> sa.TableClause:
    return live_session if where == LIVE else archived_session


def messages_of(where: str) -> sa.TableClause:
    return live_message if where == LIVE else archived_message


# ── The statements ──


def adopt_earlier_release() -> list[sa.Insert | sa.Update]:
    """What 0003 as released left: its unknown totals become 0, its sessions without a
    message move to the archive (those the ghost purge has not taken yet), then every row it
    made is recorded."""
    s, a = live_session, archived_session
    unrecorded = [carried_from(s, MIGRATED_SESSION), ~held(carried_session, s.c.id)]
    # The archive declares both NOT NULL: one such session fails the application's whole
    # cleanup, every time it runs. The envelope keeps the legacy value.
    totals = (
        sa.update(s)
        .where(*unrecorded, s.c.total_tokens.is_(None) | s.c.total_cost.is_(None))
        # Unqualified: the SET clause stays one readable line.
        .values({name: sa.func.coalesce(sa.literal_column(name), lit(0))
                 for name in ("total_tokens", "total_cost")})
    )  # fmt: skip
    move = moved_to_archive(
        s, a, *unrecorded,
        s.c.message_count == lit(0),  # what the ghost purge deletes
        ~sa.exists().where(live_message.c.session_id == s.c.id),
    )  # fmt: skip
    return [
        totals,
        move,
        record_found((s, a), carried_session, MIGRATED_SESSION, this_run(runs)),
        record_found((live_message, archived_message), carried_message, MIGRATED_MESSAGE,
                     this_run(runs)),
    ]  # fmt: skip


def session_by_external_id(legacy: Legacy) -> sa.Subquery:
    """For each external id a message without a session_id carries, the one legacy session
    whose metadata names it under any of ``EXTERNAL_ID_KEYS``: the latest started_at wins,
    then the greater id (then the key's name, for a session naming it twice), so the choice
    is the same on every run. One pass over the sessions, keeping only the ids some message
    needs (measured against three index-served lookups: docs/benchmark.md)."""
    s, unresolved = legacy.session.alias("legacy_session"), legacy.message.alias("unresolved")
    keyed = sa.select(
        sa.func.unnest(postgresql.array([field(s.c.metadata, k) for k in EXTERNAL_ID_KEYS])).label(
            "external_id"
        ),
        sa.func.unnest(postgresql.array([lit(k) for k in EXTERNAL_ID_KEYS])).label("key"),
        s.c.id,
        s.c.started_at,
    ).subquery("keyed")
    wanted = sa.select(unresolved.c.external_session_id).where(unresolved.c.session_id.is_(None))
    # Sorted in byte order: the same groups as under the database's collation (a database's
    # own is deterministic), without its slower comparisons (docs/benchmark.md).
    external_id = keyed.c.external_id.collate("C")
    return (
        sa.select(keyed.c.external_id, keyed.c.id.label("session_id"), keyed.c.key)
        .where(keyed.c.external_id.in_(wanted))
        .ext(postgresql.distinct_on(external_id))
        .order_by(
            external_id, keyed.c.started_at.desc().nulls_last(), keyed.c.id.desc(), keyed.c.key
        )
        .subquery("by_external_id")
    )


def placements(legacy: Legacy) -> sa.Select[Any]:
    """Each legacy message with the legacy session it belongs to, or why it cannot go
    there: an engine row that the record does not hold, on the message's id or on its
    session's, is a clash, and nothing is put into or over it; a session carried and since
    removed (by the application or a user) takes no late message."""
    m, by_ext = legacy.message.alias("legacy_message"), session_by_external_id(legacy)
    direct = legacy.session.alias("direct")
    session_id = sa.func.coalesce(direct.c.id, by_ext.c.session_id)
    message_record, session_record = (
        carried_message.alias("message_record"), carried_session.alias("session_record")
    )  # fmt: skip
    live_copy, archived_copy = live_message.alias("live_copy"), archived_message.alias(
        "archived_copy")  # fmt: skip
    live, archived = live_session.alias("live"), archived_session.alias("archived")
    carried = message_record.c.id.is_not(None)
    session_carried = session_record.c.id.is_not(None)
    session_held = live.c.id.is_not(None) | archived.c.id.is_not(None)
    reason = sa.case(
        (carried, sa.null()),
        (live_copy.c.id.is_not(None) | archived_copy.c.id.is_not(None), lit("message id clash")),
        (session_held & ~session_carried, lit("session id clash")),
        (session_carried & ~session_held, lit("session removed")),
        (session_id.is_not(None), sa.null()),
        (m.c.session_id.is_not(None), lit("unknown session id")),
        (m.c.external_session_id.is_(None), lit("no session reference")),
        else_=lit("unknown external id"),
    )
    return sa.select(
        m.c.id.label("message_id"),
        session_id.label("session_id"),
        reason.label("reason"),
        sa.case((direct.c.id.is_not(None), lit(BY_SESSION_ID)), else_=by_ext.c.key).label(
            "placed_by"
        ),
        m.c.created_at,
        carried.label("carried"),
        (~carried & session_carried & session_held).label("late"),
    ).select_from(
        m.outerjoin(direct, direct.c.id == m.c.session_id)
        .outerjoin(
            by_ext,
            sa.and_(m.c.session_id.is_(None), by_ext.c.external_id == m.c.external_session_id),
        )
        .outerjoin(message_record, message_record.c.id == m.c.id)
        .outerjoin(live_copy, live_copy.c.id == m.c.id)
        .outerjoin(archived_copy, archived_copy.c.id == m.c.id)
        .outerjoin(session_record, session_record.c.id == session_id)
        .outerjoin(live, live.c.id == session_id)
        .outerjoin(archived, archived.c.id == session_id)
    )


def pinned_sessions(legacy: Legacy) -> sa.Select[Any]:
    """Every legacy session, read once: carried already (the record holds it), or a clash
    (an engine row, live or archived, that the record does not hold has its id), and how
    many messages this run puts into it (where it lands: live with one, else archived)."""
    s, record = legacy.session.alias("legacy_session"), carried_session.alias("session_record")
    live, archived = live_session.alias("live"), archived_session.alias("archived")
    placed = (
        sa.select(placement.c.session_id, sa.func.count().label("placed"))
        .where(*to_write(None))
        .group_by(placement.c.session_id)
        .subquery("placed")
    )
    carried = record.c.id.is_not(None)
    return sa.select(
        s.c.id.label("session_id"),
        carried.label("carried"),
        (~carried & (live.c.id.is_not(None) | archived.c.id.is_not(None))).label("clash"),
        sa.func.coalesce(placed.c.placed, lit(0)).label("placed"),
    ).select_from(
        s.outerjoin(record, record.c.id == s.c.id)
        .outerjoin(live, live.c.id == s.c.id)
        .outerjoin(archived, archived.c.id == s.c.id)
        .outerjoin(placed, placed.c.session_id == s.c.id)
    )


def plan(legacy: Legacy) -> list[PlanTable]:
    """Messages first, then sessions, so that every session a message is placed into is
    pinned."""
    return [
        PlanTable(placement, placements(legacy), "message_id",
                  "every legacy message, with the legacy session it goes to or why it cannot",
                  looked_up_by=("session_id",)),
        PlanTable(pinned, pinned_sessions(legacy), "session_id",
                  "every legacy session, read once, and whether it was carried or its id is "
                  "taken"),
    ]  # fmt: skip


def earliest_legacy_time(legacy: Legacy) -> sa.ColumnElement[Any]:
    """When a session with no time at all began: evaluated once, only if one needs it."""
    return sa.func.coalesce(
        sa.select(
            sa.func.min(legacy.session.c.started_at).label("earliest_start")
        ).scalar_subquery(),
        sa.select(sa.func.min(placement.c.created_at).label("earliest_message")).scalar_subquery(),
        sa.literal_column(f"timestamptz '{NO_TIME_AT_ALL}'", sa.DateTime(timezone=True)),
    )


def to_write(batch: Batch | None) -> list[sa.ColumnElement[bool]]:
    """Placed messages this run writes (in ``batch``)."""
    return [placement.c.reason.is_(None), ~placement.c.carried,
            *within(batch, placement.c.session_id)]  # fmt: skip


def run_number(run: Any) -> sa.ColumnElement[Any]:
    """This run's number: read in the statement, or given (a batched run, once committed)."""
    return this_run(runs) if run is None else run


def migrate_sessions(
    legacy: Legacy, where: str, batch: Batch | None = None, run: Any = None
) -> sa.Insert:
    """Pinned sessions not carried yet, into ``where``: live with a message, else archived."""
    s, target = legacy.session, sessions_of(where)
    pinned_ids = sa.select(pinned.c.session_id).where(
        ~pinned.c.carried, ~pinned.c.clash,
        pinned.c.placed > lit(0) if where == LIVE else pinned.c.placed == lit(0),
        *within(batch, pinned.c.session_id),
    )  # fmt: skip
    rows: sa.FromClause = s
    if where == LIVE:
        stats = (
            sa.select(
                placement.c.session_id,
                sa.func.count().label("message_count"),
                sa.func.min(placement.c.created_at).label("first_message_at"),
                sa.func.max(placement.c.created_at).label("last_message_at"),
            )
            .where(*to_write(batch))
            .group_by(placement.c.session_id)
            .subquery("stats")
        )
        began = sa.func.coalesce(s.c.started_at, stats.c.first_message_at, s.c.ended_at)
        rows = s.join(stats, stats.c.session_id == s.c.id)
        messages = [stats.c.message_count, stats.c.last_message_at]
    else:  # no message: nothing to count
        began = sa.func.coalesce(s.c.started_at, s.c.ended_at)
        messages = [
            lit(0).label("message_count"),
            sa.cast(sa.null(), sa.DateTime(timezone=True)).label("last_message_at"),
        ]
    # Stored in the order they began (sorted before the envelope is built, so the sort moves
    # the source rows, not the wider results): the created_at and updated_at indexes then
    # grow at their right edge instead of being rewritten page by page all over.
    source = (
        sa.select(s, *messages, began.label("began"))
        .select_from(rows)
        # IN, not a join: the planner hashes the narrow pinned ids, not the wide sessions.
        .where(s.c.id.in_(pinned_ids), *within(batch, s.c.id))
        .order_by(began)
        .subquery("legacy_session")
    )
    o = source.c
    model = sa.func.coalesce(
        name_field(o.metadata, "model"), name_field(o.metadata, "openclaw_session", "model")
    )
    created_at = sa.func.coalesce(o.began, earliest_legacy_time(legacy))
    label = text_or_null(name_field(o.metadata, "openclaw_session", "label"), TITLE_MAX)
    metadata = envelope(
        MIGRATED_SESSION,
        o.metadata,
        migration_date=sa.func.current_timestamp(),
        source=sa.func.coalesce(name_field(o.metadata, "source"), lit("unknown")),
        original_type=o.session_type,
        original_status=o.status,
        original_messages_count=o.messages_count,
        original_tokens_used=o.tokens_used,
        original_cost_usd=o.cost_usd,
        # NULL until a first user message titles it (``titled``).
        title_source=sa.case((label.is_not(None), lit(FROM_LABEL))),
    )
    # The application's archive declares every count NOT NULL: an unknown total is 0 there
    # and here alike (the envelope keeps the legacy value, NULL included).
    values = {
        "id": o.id,
        "agent_id": sa.case((blank(o.agent_id), lit("main")), else_=o.agent_id),
        "session_type": engine_type(o.session_type),
        "title": label,
        "model": text_or_null(model, MODEL_MAX),
        "status": lit("ended"),
        "message_count": sa.func.coalesce(o.message_count, lit(0)),
        "total_tokens": sa.func.coalesce(o.tokens_used, lit(0)),
        "total_cost": sa.func.coalesce(o.cost_usd, lit(0)),
        "metadata": envelope_json(metadata),
        "created_at": created_at,
        "updated_at": sa.func.coalesce(
            sa.func.greatest(o.started_at, o.ended_at, o.last_message_at), created_at
        ),
        "ended_at": o.ended_at,
    }
    return carried_into(target, carried_session, values, source, metadata, run_number(run))


def migrate_messages(
    legacy: Legacy, where: str, batch: Batch | None = None, run: Any = None
) -> sa.Insert:
    """Placed messages not carried yet, into ``where``: where their session is now. A new
    session with messages is live (this run put it there); a late message follows its
    session, wherever the application has filed it since."""
    m, sessions = legacy.message, sessions_of(where)
    # In time order (sorted before the envelope is built): the created_at index grows at its
    # right edge, and each foreign-key check finds its session near the last one's.
    now_there = held(sessions, placement.c.session_id)
    placed = (
        sa.select(m, placement.c.session_id.label("placed_in"))
        .join_from(m, placement, placement.c.message_id == m.c.id)
        .where(*to_write(batch))
        # Live first: a session carried by this run is there; only a late message looks.
        .where(~placement.c.late | now_there if where == LIVE else placement.c.late & now_there)
        .order_by(placement.c.created_at)
    )
    if batch is not None:
        # A batch's messages found by their ids (the primary key), not by reading every legacy
        # message once per batch: = ANY(ARRAY(…)) is evaluated once, before the scan. Only
        # late messages can go to the archive: the others are not looked up for it.
        ids = sa.select(placement.c.message_id).where(
            *to_write(batch), *([] if where == LIVE else [placement.c.late])
        )
        placed = placed.where(m.c.id == sa.any_(sa.func.array(ids.scalar_subquery())))
    source = placed.subquery("legacy_message")
    o = source.c
    # Only for a message with no time of its own: the time its session was given.
    session_created_at = (
        sa.select(sessions.c.created_at).where(sessions.c.id == o.placed_in).scalar_subquery()
    )
    metadata = envelope(
        MIGRATED_MESSAGE,
        o.metadata,
        external_session_id=o.external_session_id,
        content_hash=o.content_hash,
        source_channel=o.source_channel,
        agent_id=o.agent_id,
    )
    values = {
        "id": o.id,
        "session_id": o.placed_in,
        "role": o.role,
        "content": o.content,
        "metadata": envelope_json(metadata),
        "created_at": sa.func.coalesce(o.created_at, session_created_at),
    }
    return carried_into(
        messages_of(where), carried_message, values, source, metadata, run_number(run)
    )


def count_late_messages(where: str, batch: Batch | None = None) -> sa.Update:
    """A session an earlier run carried, into which this run put messages: its
    message_count grows by them, its updated_at moves to the latest of them (never back)."""
    late = (
        sa.select(
            placement.c.session_id,
            sa.func.count().label("added"),
            sa.func.max(placement.c.created_at).label("last_message_at"),
        )
        .where(placement.c.late, *to_write(batch))
        .group_by(placement.c.session_id)
        .subquery("late")
    )
    e = sessions_of(where)
    return (
        sa.update(e)
        .where(e.c.id == late.c.session_id)
        .values(
            message_count=sa.func.coalesce(e.c.message_count, lit(0)) + late.c.added,
            updated_at=sa.func.greatest(e.c.updated_at, late.c.last_message_at),
        )
    )


def titled(where: str, batch: Batch | None = None) -> sa.Update:
    """Sessions the record holds that still have no title take the engine's title of their
    first user message with any text, first in the order the engine shows messages
    (created_at, then id): those this run carried without a label, those an earlier run
    carried before titles were made, those a late message gave their first. A title anyone
    set is never touched, nor a session this migration did not make."""
    e, m = sessions_of(where), messages_of(where)
    # Twice: to read only untitled sessions' messages, and again on the row being updated,
    # which PostgreSQL checks anew if a user titled it since the statement began.
    no_title = e.c.title.is_(None)
    untitled = sa.select(e.c.id).where(
        no_title, held(carried_session, e.c.id), *within(batch, e.c.id)
    )
    first = (
        sa.select(m.c.session_id, collapsed(m.c.content).label("text"))
        # The batch's range on the messages too: their session_id index then reads only the
        # batch's messages, not every message earlier batches wrote.
        .where(
            m.c.session_id.in_(untitled),
            *within(batch, m.c.session_id),
            m.c.role == lit("user"),
            has_text(m.c.content),
        )
        .ext(postgresql.distinct_on(m.c.session_id))
        .order_by(m.c.session_id, m.c.created_at, m.c.id)
        .subquery("first_user_message")
    )
    source = sa.func.jsonb_build_object(lit("title_source"), lit(FROM_FIRST_USER_MESSAGE))
    return (
        sa.update(e)
        .where(e.c.id == first.c.session_id, no_title)
        .values(title=cut(first.c.text), metadata=e.c.metadata.op("||", return_type=JSONB)(source))
    )


def to_carry(legacy: Legacy, limit: int) -> sa.Select[Any]:
    """Legacy sessions and messages the record does not hold, each counted up to ``limit``
    + 1 at most: enough to choose how the run goes, cheap at any size of history."""

    def counted(table: sa.TableClause, record: sa.TableClause) -> sa.ScalarSelect[Any]:
        ids = sa.select(table.c.id).where(~held(record, table.c.id)).limit(lit(limit + 1))
        return sa.select(sa.func.count()).select_from(ids.subquery()).scalar_subquery()

    return sa.select(counted(legacy.session, carried_session).label("sessions"),
                     counted(legacy.message, carried_message).label("messages"))  # fmt: skip


def titles_read() -> Step:
    """Fresh row counts of the tables the titles read, in the one transaction: its writes
    are invisible to autovacuum until it commits, so those tables look as empty as before
    it; the planner then probes them row by row, one random read each, which on a 512 MB
    server ran for over 18 minutes at 1M where the hash joins these counts lead to take
    seconds (docs/benchmark.md). Batches analyze as they go (``db/migrate/run.py``)."""
    return analyzed("titles", "row counts of the tables the titles read (autovacuum cannot "
                    "see this transaction)", GROWN)  # fmt: skip


def missing() -> sa.Select[Any]:
    """Pinned sessions and placed messages the record does not hold. A message whose
    session left the engine between the plan and its write (a user deleted it) could not be
    written, and is not missing: the next run and aria-verify call it ``session removed``."""
    sessions = (
        sa.select(sa.func.count().label("missing"))
        .select_from(pinned)
        .where(~pinned.c.clash, ~held(carried_session, pinned.c.session_id))
    )
    messages = (
        sa.select(sa.func.count().label("missing"))
        .select_from(placement)
        .where(
            placement.c.reason.is_(None),
            ~held(carried_message, placement.c.message_id),
            held(live_session, placement.c.session_id)
            | held(archived_session, placement.c.session_id),
        )
    )
    return sa.select(
        sessions.scalar_subquery().label("sessions"), messages.scalar_subquery().label("messages")
    )


def verify_complete(legacy: Legacy, batched: bool = False) -> Step:
    """Raise, rolling the upgrade back, unless the record holds everything in the plan; warn
    when there was nothing to migrate at all, naming the tables read."""
    outcome = (
        "the batches done so far stay committed and the revision is not recorded; "
        "run the same upgrade again"
        if batched
        else "nothing was committed"
    )
    failure = (
        "S8-06 verification failed: {sessions} legacy session(s) and {messages} placeable "
        f"message(s) were not carried into the engine tables; {outcome}"
    )
    return proof(missing(), failure, nothing_read_from(legacy), pinned,
                 "the record holds every pinned session and every placed message")  # fmt: skip


def begin_run(legacy: Legacy) -> Step:
    """A run with legacy rows to read, or an earlier release's rows to adopt."""
    adopting = [
        sa.exists().where(carried_from(t, MIGRATED_SESSION), ~held(carried_session, t.c.id))
        for t in (live_session, archived_session)
    ]
    something = sa.or_(*(sa.exists().select_from(t) for t in legacy), *adopting)
    return step("run", "a new run in the record, if there is anything to carry or adopt; what "
                "it carries is recorded under it",
                start_run(runs, something, legacy_schema=legacy.session.schema))  # fmt: skip


def read_under_snapshot() -> Step:
    """What this run reads, told apart from what arrives after (0006): taken before the plan,
    so a row it cannot see is one the plan did not read either."""
    return step("run", "the snapshot this run reads the legacy tables under: a legacy row it "
                "cannot see arrived after the run", sa.update(runs)
                .where(runs.c.run == this_run(runs))
                .values(read_snapshot=sa.cast(sa.func.pg_current_snapshot(), sa.Text)))  # fmt: skip


def adoption() -> list[Step]:
    totals, move, found_sessions, found_messages = adopt_earlier_release()
    return [
        step("adopt", "sessions an earlier release carried with no token or cost total get 0 "
             "(the archive declares both NOT NULL)", totals),
        step("adopt", "sessions an earlier release left in chat_sessions without a message -> "
             "chat_sessions_archive, before the ghost purge deletes them", move),
        step("adopt", "record the sessions an earlier release carried", found_sessions),
        step("adopt", "record the messages an earlier release carried", found_messages),
    ]  # fmt: skip


def writes(
    legacy: Legacy, batch: Batch | None = None, run: Any = None, late: bool = True
) -> list[Step]:
    """Sessions, their messages, late messages, titles: the whole run's, or one batch's (``run``:
    the batched run's number, read once it was committed; ``late``: False where the plan
    holds no late message, and the statements that only write those would find nothing)."""
    return [
        step("sessions", "pinned legacy sessions with a message -> aria_engine.chat_sessions, "
             "in the order they began", migrate_sessions(legacy, LIVE, batch, run)),
        step("sessions", "pinned legacy sessions without a message -> "
             "aria_engine.chat_sessions_archive, in the order they began",
             migrate_sessions(legacy, ARCHIVE, batch, run)),
        step("messages", "placed legacy messages -> aria_engine.chat_messages, in time order",
             migrate_messages(legacy, LIVE, batch, run)),
        *([
            step("messages", "late legacy messages of archived sessions -> "
                 "aria_engine.chat_messages_archive", migrate_messages(legacy, ARCHIVE, batch,
                                                                      run)),
            step("late messages", "live sessions an earlier run carried count the messages "
                 "added to them", count_late_messages(LIVE, batch)),
            step("late messages", "archived sessions an earlier run carried count the messages "
                 "added to them", count_late_messages(ARCHIVE, batch)),
        ] if late else []),
        *([] if batch is not None else [titles_read()]),
        step("titles", "carried sessions in aria_engine.chat_sessions with no title take "
             "their first user message's, as the engine titles a chat", titled(LIVE, batch)),
        step("titles", "carried sessions in aria_engine.chat_sessions_archive with no title "
             "take their first user message's", titled(ARCHIVE, batch)),
    ]  # fmt: skip


def carrying(legacy: Legacy) -> Carry:
    """This revision's statements, by stage, for ``db/migrate/run.py`` to send."""
    return Carry(
        name="S8-06", log=log, start=[begin_run(legacy), *adoption()],
        read=read_under_snapshot(), plan=plan(legacy),
        walked=pinned.c.session_id, walked_what="legacy sessions, each with its messages",
        writes=lambda batch, number, late: writes(legacy, batch, number, late),
        proof=lambda batched: verify_complete(legacy, batched),
        to_carry=lambda limit: to_carry(legacy, limit),
        run_number=this_run(runs), any_late=sa.exists().where(placement.c.late),
        adopted_into=(live_session, archived_session, carried_session, carried_message),
        written_into=ENGINE_TABLES, grows=GROWN,
        report=lambda connection, written, found: log_report(
            connection, log, pinned, placement, written, found, nothing_read_from(legacy)),
    )  # fmt: skip


def migration_statements(legacy: Legacy) -> list[Step]:
    """Run, adoption, plan, sessions, messages, late messages, proof: one transaction's work."""
    return in_one_transaction(carrying(legacy))


def build_migration_statements(
    settings: Settings | None = None, schema: str = "public"
) -> list[sa.Executable]:
    """Every statement this revision sends in one transaction, in order."""
    legacy = legacy_tables(schema)
    return [*deploy_settings(settings or Settings()), guard(schema), *migration_statements(legacy)]


# ── The run ──


def upgrade() -> None:
    carry()


def carry() -> None:
    """The whole run (``db/migrate/run.py``). Also what ``alembic -x carry=arrived upgrade
    head`` runs at head (env.py), on a schedule, for the legacy rows the application wrote
    since: the same plan, statements, record and proof, and no version table touched."""
    schema = legacy_schema()
    run(carrying(legacy_tables(schema)), guard(schema))


def downgrade() -> None:
    # Nothing is removed: the carried rows are the engine's history now, the record is the
    # proof of what was carried, and the legacy tables were never modified. A later `upgrade`
    # carries only what the record does not hold yet.
    log.info("S8-06 downgrade: carried sessions and messages stay in aria_engine")
