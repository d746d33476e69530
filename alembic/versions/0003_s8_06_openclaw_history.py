"""S8-06: carry every OpenClaw session and message into the engine's chat tables.

Revision ID: 0003_s8_06_openclaw_history
Revises: 0002_s1_01_engine_schema
Create Date: 2026-11-24

Data only. The legacy tables are read where they live, ``public`` or ``aria_data``
(``db/legacy_schema.py``); below, ``legacy`` stands for that schema. These statements, in
this order, the same online and in ``--sql`` for the same schema:

0. the deploy settings every revision sends first (``db/deploy_settings.py``), then the
   guard: it stops the run if ``legacy`` holds no row while the other era's tables do.
1. the plan, read once: every legacy message with the legacy session it goes to, or why
   it cannot (``placement``); every legacy session (``pinned``). What the plan holds is
   what the run migrates and proves: rows the application still writes meanwhile are left
   for the next run, and never fail this one.
2. pinned sessions -> aria_engine.chat_sessions  (same id; ON CONFLICT (id) DO NOTHING)
3. placed messages -> aria_engine.chat_messages  (same id; ON CONFLICT (id) DO NOTHING)
4. late messages: a session an earlier run made gets its message_count and updated_at
   brought up to date with the messages this run added to it.
5. the proof: every pinned session and every placed message is now present, or the
   upgrade raises and rolls back; a run that read no legacy session says so.

Every value is rendered into the SQL, never bound: what runs online is byte for byte what
``--sql`` prints. Online only, and only by reading, it also logs a report.

``-x batch_size=N`` (online only) runs 2 to 4 in keyset batches of N pinned sessions, each
with its messages, committed on its own; a run killed at any moment finishes on the next
``upgrade`` with nothing missing and nothing twice (``db/batches.py``).
"""

import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.selectable import LateralFromClause

from db.batches import Batch, Progress, RowsWritten, committed, keyset_batches, within
from db.deploy_settings import Settings, deploy_settings
from db.expressions import blank, field, lit, name_field, text_or_null
from db.layout import Step, indented, laid_out, plain, quoted, step
from db.legacy_schema import guard, legacy_schema
from db.migration_report import log_report
from db.steps import step_log

revision: str = "0003_s8_06_openclaw_history"
down_revision: str | Sequence[str] | None = "0002_s1_01_engine_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.s8_06")

# ── Stubs: the schema as 0001 and 0002 leave it, frozen here; the live models move on ──


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


engine_session = sa.table(
    "chat_sessions",
    sa.column("id", sa.Uuid),
    sa.column("agent_id", sa.String),
    sa.column("session_type", sa.String),
    sa.column("title", sa.String),
    sa.column("model", sa.String),
    sa.column("status", sa.String),
    sa.column("message_count", sa.Integer),
    sa.column("total_tokens", sa.Integer),
    sa.column("total_cost", sa.Numeric),
    sa.column("metadata", JSONB),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("ended_at", sa.DateTime(timezone=True)),
    schema="aria_engine",
)
engine_message = sa.table(
    "chat_messages",
    sa.column("id", sa.Uuid),
    sa.column("session_id", sa.Uuid),
    sa.column("role", sa.String),
    sa.column("content", sa.Text),
    sa.column("metadata", JSONB),
    sa.column("created_at", sa.DateTime(timezone=True)),
    schema="aria_engine",
)
ENGINE_TABLES = (engine_session, engine_message)
# The plan, in this session's temporary schema: one row per legacy message, and per session.
placement = sa.table(
    "s8_06_placement",
    sa.column("message_id", sa.Uuid),
    sa.column("session_id", sa.Uuid),
    sa.column("reason", sa.Text),  # NULL: it goes into session_id
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("present", sa.Boolean),  # an earlier run already put it there
    schema="pg_temp",
)
pinned = sa.table(
    "s8_06_sessions",
    sa.column("session_id", sa.Uuid),
    sa.column("present", sa.Boolean),  # an earlier run made it
    sa.column("clash", sa.Boolean),  # an engine session this migration did not make has its id
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


def envelope(
    migrated_from: str, original_metadata: sa.ColumnElement[Any], **fields: Any
) -> LateralFromClause:
    """The migration envelope of one legacy row, as a row whose column names are its keys
    (``envelope_json`` makes it the engine's metadata)."""
    return (
        sa.select(
            lit(migrated_from).label("migrated_from"),
            *(value.label(key) for key, value in fields.items()),
            original_metadata.label("original_metadata"),
        )
        .correlate_except(None)
        .lateral("envelope")
    )


def envelope_json(envelope: LateralFromClause) -> sa.ColumnElement[Any]:
    """``original_metadata`` is kept exactly: the key is absent when the source was SQL NULL,
    and holds JSON ``null`` when the source was JSON ``null``."""
    # to_jsonb of a named row, not jsonb_build_object of key/value pairs: the same object,
    # a fifth to a third faster (jsonb_build_object looks up each value's type on every row).
    whole = sa.func.to_jsonb(envelope.table_valued(), type_=JSONB)
    return sa.case(
        (
            envelope.c.original_metadata.is_(None),
            whole.op("-", return_type=JSONB)(lit("original_metadata")),
        ),
        else_=whole,
    )


def made_here(row: Any, migrated_from: str) -> sa.ColumnElement[bool]:
    """An engine row this migration made (any other holding a legacy id is a clash)."""
    return field(row.c.metadata, "migrated_from") == lit(migrated_from)


def made_elsewhere(row: Any, migrated_from: str) -> sa.ColumnElement[bool]:
    """Not ``made_here``, NULL included: a native row's metadata may lack the key."""
    return field(row.c.metadata, "migrated_from").is_distinct_from(lit(migrated_from))


def nothing_read_from(legacy: Legacy) -> str:
    s, m = legacy
    return NOTHING_READ.format(session=f"{s.schema}.{s.name}", message=f"{m.schema}.{m.name}")


# ── The statements ──


def session_by_external_id(legacy: Legacy) -> sa.Subquery:
    """For each external id, the one legacy session it names: the latest started_at wins,
    ties broken by the greater id, so the choice is the same on every run."""
    s = legacy.session.alias("legacy_session")
    key = sa.func.unnest(
        postgresql.array(
            [field(s.c.metadata, "openclaw_session_id"), field(s.c.metadata, "external_session_id")]
        )
    ).label("external_id")
    keyed = sa.select(key, s.c.id, s.c.started_at).subquery("keyed")
    # Sorted in byte order: the same groups as under the database's collation (a database's
    # own is deterministic), without its slower comparisons (docs/benchmark.md).
    external_id = keyed.c.external_id.collate("C")
    return (
        sa.select(keyed.c.external_id, keyed.c.id.label("session_id"))
        .where(keyed.c.external_id.is_not(None))
        .ext(postgresql.distinct_on(external_id))
        .order_by(external_id, keyed.c.started_at.desc().nulls_last(), keyed.c.id.desc())
        .subquery("by_external_id")
    )


def placements(legacy: Legacy) -> sa.Select[Any]:
    """Each legacy message with the legacy session it belongs to, or why it cannot go
    there: a message or session id that an engine row this migration did not make
    already holds is a clash, and nothing is put into or over it."""
    m, by_ext = legacy.message.alias("legacy_message"), session_by_external_id(legacy)
    direct = legacy.session.alias("direct")
    native_session = engine_session.alias("native_session")
    copy = engine_message.alias("engine_copy")
    session_id = sa.func.coalesce(direct.c.id, by_ext.c.session_id)
    reason = sa.case(
        (made_elsewhere(copy, MIGRATED_MESSAGE) & copy.c.id.is_not(None), lit("message id clash")),
        (native_session.c.id.is_not(None), lit("session id clash")),
        (session_id.is_not(None), sa.null()),
        (m.c.session_id.is_not(None), lit("unknown session id")),
        (m.c.external_session_id.is_(None), lit("no session reference")),
        else_=lit("unknown external id"),
    )
    return sa.select(
        m.c.id.label("message_id"),
        session_id.label("session_id"),
        reason.label("reason"),
        m.c.created_at,
        sa.func.coalesce(made_here(copy, MIGRATED_MESSAGE), lit(False)).label("present"),
    ).select_from(
        m.outerjoin(direct, direct.c.id == m.c.session_id)
        .outerjoin(
            by_ext,
            sa.and_(m.c.session_id.is_(None), by_ext.c.external_id == m.c.external_session_id),
        )
        .outerjoin(
            native_session,
            sa.and_(
                native_session.c.id == session_id,
                made_elsewhere(native_session, MIGRATED_SESSION),
            ),
        )
        .outerjoin(copy, copy.c.id == m.c.id)
    )


def pinned_sessions(legacy: Legacy) -> sa.Select[Any]:
    """Every legacy session, read once, and whether an engine session holds its id."""
    s, e = legacy.session.alias("legacy_session"), engine_session.alias("engine_session")
    return sa.select(
        s.c.id.label("session_id"),
        sa.func.coalesce(made_here(e, MIGRATED_SESSION), lit(False)).label("present"),
        (e.c.id.is_not(None) & made_elsewhere(e, MIGRATED_SESSION)).label("clash"),
    ).outerjoin_from(s, e, e.c.id == s.c.id)


def plan(legacy: Legacy, batched: bool) -> list[Step]:
    """Create and fill the plan: messages first, then sessions, so that every session a
    message is placed into is pinned. In one transaction it goes with the commit; in
    batches it must outlive each batch's commit, and carries the indexes batches use."""
    on_commit = "PRESERVE ROWS" if batched else "DROP"
    statements: list[Step] = []
    for table, rows, key, what in (
        (placement, placements(legacy), "message_id",
         "every legacy message, with the legacy session it goes to or why it cannot"),
        (pinned, pinned_sessions(legacy), "session_id",
         "every legacy session, read once, and whether the engine holds its id"),
    ):  # fmt: skip
        create = f"CREATE TEMPORARY TABLE pg_temp.{table.name} ON COMMIT {on_commit} AS"
        statements.append(step("plan", what, rows, before=create))
        if batched:
            statements.append(
                plain(
                    "plan",
                    "the key the batches walk",
                    f"ALTER TABLE pg_temp.{table.name} ADD PRIMARY KEY ({key})",
                )
            )
    if batched:
        statements.append(
            plain(
                "plan",
                "each batch finds its messages by session",
                f"CREATE INDEX ON pg_temp.{placement.name} (session_id)",
            )
        )
    # Temporary tables are never analyzed by autovacuum; the joins below need real counts.
    statements += [
        plain("plan", f"row counts of {table.name} for the planner (autovacuum never sees "
              "temporary tables)", f"ANALYZE pg_temp.{table.name}")
        for table in (placement, pinned)
    ]  # fmt: skip
    return statements


def earliest_legacy_time(legacy: Legacy) -> sa.ColumnElement[Any]:
    """When a session with no time at all began: evaluated once, only if one needs it."""
    return sa.func.coalesce(
        sa.select(
            sa.func.min(legacy.session.c.started_at).label("earliest_start")
        ).scalar_subquery(),
        sa.select(sa.func.min(placement.c.created_at).label("earliest_message")).scalar_subquery(),
        sa.literal_column(f"timestamptz '{NO_TIME_AT_ALL}'", sa.DateTime(timezone=True)),
    )


def migrate_sessions(legacy: Legacy, batch: Batch | None = None) -> sa.Insert:
    s = legacy.session
    stats = (
        sa.select(
            placement.c.session_id,
            sa.func.count().label("message_count"),
            sa.func.min(placement.c.created_at).label("first_message_at"),
            sa.func.max(placement.c.created_at).label("last_message_at"),
        )
        .where(placement.c.reason.is_(None), *within(batch, placement.c.session_id))
        .group_by(placement.c.session_id)
        .subquery("stats")
    )
    # Stored in the order they began (sorted before the envelope is built, so the sort moves
    # the source rows, not the wider results): the created_at and updated_at indexes then
    # grow at their right edge instead of being rewritten page by page all over.
    began = sa.func.coalesce(s.c.started_at, stats.c.first_message_at, s.c.ended_at)
    pinned_ids = sa.select(pinned.c.session_id).where(*within(batch, pinned.c.session_id))
    source = (
        sa.select(s, stats.c.message_count, stats.c.last_message_at, began.label("began"))
        .outerjoin_from(s, stats, stats.c.session_id == s.c.id)
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
    )
    rows = sa.select(
        o.id,
        sa.case((blank(o.agent_id), lit("main")), else_=o.agent_id).label("agent_id"),
        engine_type(o.session_type).label("session_type"),
        text_or_null(name_field(o.metadata, "openclaw_session", "label"), TITLE_MAX).label("title"),
        text_or_null(model, MODEL_MAX).label("model"),
        lit("ended").label("status"),
        sa.func.coalesce(o.message_count, lit(0)).label("message_count"),
        o.tokens_used.label("total_tokens"),
        o.cost_usd.label("total_cost"),
        envelope_json(metadata).label("metadata"),
        created_at.label("created_at"),
        sa.func.coalesce(
            sa.func.greatest(o.started_at, o.ended_at, o.last_message_at), created_at
        ).label("updated_at"),
        o.ended_at,
    ).join_from(source, metadata, sa.true())
    columns = [
        "id", "agent_id", "session_type", "title", "model", "status", "message_count",
        "total_tokens", "total_cost", "metadata", "created_at", "updated_at", "ended_at",
    ]  # fmt: skip
    return (
        postgresql.insert(engine_session)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def migrate_messages(legacy: Legacy, batch: Batch | None = None) -> sa.Insert:
    m = legacy.message
    # In time order (sorted before the envelope is built): the created_at index grows at its
    # right edge, and each foreign-key check finds its session near the last one's.
    placed = (
        sa.select(m, placement.c.session_id.label("placed_in"))
        .join_from(m, placement, placement.c.message_id == m.c.id)
        .where(placement.c.reason.is_(None), *within(batch, placement.c.session_id))
        .order_by(placement.c.created_at)
    )
    if batch is not None:
        # A batch's messages found by their ids (the primary key), not by reading every legacy
        # message once per batch: = ANY(ARRAY(…)) is evaluated once, before the scan.
        ids = sa.select(placement.c.message_id).where(
            placement.c.reason.is_(None), *within(batch, placement.c.session_id)
        )
        placed = placed.where(m.c.id == sa.any_(sa.func.array(ids.scalar_subquery())))
    source = placed.subquery("legacy_message")
    o = source.c
    # Only for a message with no time of its own: the time its session was given.
    session_created_at = (
        sa.select(engine_session.c.created_at)
        .where(engine_session.c.id == o.placed_in)
        .scalar_subquery()
    )
    metadata = envelope(
        MIGRATED_MESSAGE,
        o.metadata,
        external_session_id=o.external_session_id,
        content_hash=o.content_hash,
        source_channel=o.source_channel,
        agent_id=o.agent_id,
    )
    rows = sa.select(
        o.id,
        o.placed_in.label("session_id"),
        o.role,
        o.content,
        envelope_json(metadata).label("metadata"),
        sa.func.coalesce(o.created_at, session_created_at).label("created_at"),
    ).join_from(source, metadata, sa.true())
    return (
        postgresql.insert(engine_message)
        .from_select(["id", "session_id", "role", "content", "metadata", "created_at"], rows)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def count_late_messages(batch: Batch | None = None) -> sa.Update:
    """A session an earlier run made, into which this run put messages: its message_count
    grows by them, its updated_at moves to the latest of them (never back)."""
    late = (
        sa.select(
            placement.c.session_id,
            sa.func.count().label("added"),
            sa.func.max(placement.c.created_at).label("last_message_at"),
        )
        .join(pinned, sa.and_(pinned.c.session_id == placement.c.session_id, pinned.c.present))
        .where(
            placement.c.reason.is_(None),
            ~placement.c.present,
            *within(batch, placement.c.session_id),
            *within(batch, pinned.c.session_id),  # a range of the pinned key, not all of it
        )
        .group_by(placement.c.session_id)
        .subquery("late")
    )
    e = engine_session
    return (
        sa.update(e)
        .where(e.c.id == late.c.session_id, made_here(e, MIGRATED_SESSION))
        .values(
            message_count=sa.func.coalesce(e.c.message_count, lit(0)) + late.c.added,
            updated_at=sa.func.greatest(e.c.updated_at, late.c.last_message_at),
        )
    )


def missing() -> sa.Select[Any]:
    """Pinned sessions absent from the engine, and placed messages absent from it."""
    sessions = (
        sa.select(sa.func.count().label("missing"))
        .select_from(pinned)
        .where(~sa.exists().where(engine_session.c.id == pinned.c.session_id))
    )
    messages = (
        sa.select(sa.func.count().label("missing"))
        .select_from(placement)
        .where(
            placement.c.reason.is_(None),
            ~sa.exists().where(engine_message.c.id == placement.c.message_id),
        )
    )
    return sa.select(
        sessions.scalar_subquery().label("sessions"), messages.scalar_subquery().label("messages")
    )


def verify_complete(legacy: Legacy, batched: bool = False) -> Step:
    """Raise, rolling the upgrade back, unless nothing in the plan is missing; warn when
    there was nothing to migrate at all, naming the tables read."""
    outcome = (
        "the batches done so far stay committed and the revision is not recorded; "
        "run the same upgrade again"
        if batched
        else "nothing was committed"
    )
    return plain(
        "proof",
        "every pinned session and every placed message is now in the engine",
        f"""DO $verify$
DECLARE
    sessions bigint;
    messages bigint;
BEGIN
    SELECT counted.sessions, counted.messages INTO sessions, messages
    FROM (
{indented(laid_out(missing()), 2)}
    ) AS counted;
    IF sessions > 0 OR messages > 0 THEN
        RAISE EXCEPTION USING MESSAGE = 'S8-06 verification failed: ' || sessions
            || ' legacy session(s) and ' || messages || ' placeable message(s) are missing '
            || 'from the engine tables after the insert; {outcome}';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_temp.{pinned.name}) THEN
        RAISE WARNING USING MESSAGE = {quoted(nothing_read_from(legacy), 3)};
    END IF;
END
$verify$""",
    )


def writes(legacy: Legacy, batch: Batch | None = None) -> list[Step]:
    """Sessions, their messages, late messages: the whole run's, or one batch's."""
    return [
        step("sessions", "pinned legacy sessions -> aria_engine.chat_sessions, in the order "
             "they began", migrate_sessions(legacy, batch)),
        step("messages", "placed legacy messages -> aria_engine.chat_messages, in time order",
             migrate_messages(legacy, batch)),
        step("late messages", "sessions an earlier run made count the messages added to them",
             count_late_messages(batch)),
    ]  # fmt: skip


def migration_statements(legacy: Legacy) -> list[Step]:
    """Plan, sessions, messages, late messages, proof: the work of one transaction."""
    return [*plan(legacy, batched=False), *writes(legacy), verify_complete(legacy)]


def build_migration_statements(
    settings: Settings | None = None, schema: str = "public"
) -> list[sa.Executable]:
    """Every statement this revision sends in one transaction, in order."""
    legacy = legacy_tables(schema)
    return [*deploy_settings(settings or Settings()), guard(schema), *migration_statements(legacy)]


# ── The run ──


def upgrade() -> None:
    # Checked by env.py before anything ran (batch_size online only, among the rest).
    settings = Settings.from_x_arguments(context.get_x_argument(as_dictionary=True))
    for setting in deploy_settings(settings, "SESSION" if settings.batch_size else "LOCAL"):
        op.execute(setting)
    schema = legacy_schema()
    legacy = legacy_tables(schema)
    op.execute(guard(schema))
    written = None if context.is_offline_mode() else RowsWritten(op.get_bind(), *ENGINE_TABLES)
    if settings.batch_size:
        upgrade_in_batches(settings.batch_size, legacy)
    else:
        with steps_said():
            for statement in migration_statements(legacy):
                op.execute(statement)
    if written is not None:
        written.stop()
        log_report(op.get_bind(), log, pinned, placement, written, nothing_read_from(legacy))
    if settings.batch_size:
        for table in (placement, pinned):
            op.execute(sa.text(f"DROP TABLE pg_temp.{table.name}"))


def upgrade_in_batches(size: int, legacy: Legacy) -> None:
    connection = op.get_bind()
    with op.get_context().autocommit_block():
        log.info("S8-06: building the plan (every legacy message and session, read once)")
        with steps_said():
            for statement in plan(legacy, batched=True):
                op.execute(statement)
        total = connection.scalar(sa.select(sa.func.count()).select_from(pinned)) or 0
        progress = Progress(log, "S8-06 legacy sessions, each with its messages", total)
        for batch in keyset_batches(connection, pinned.c.session_id, size):
            # A session and its messages commit together: a killed run never leaves a
            # session whose message_count counts messages that are not there.
            with committed(connection):
                for statement in writes(legacy, batch):
                    op.execute(statement)
            progress.step(size)
    # In the transaction that records the revision: a failed check leaves it unrecorded.
    with steps_said():
        op.execute(verify_complete(legacy, batched=True))


def steps_said() -> AbstractContextManager[None]:
    """Online, each step is logged as it ends, with its time and rows; --sql only prints."""
    return nullcontext() if context.is_offline_mode() else step_log(op.get_bind(), log, "S8-06")


def downgrade() -> None:
    # Nothing is removed: the migrated rows are the engine's history now, and the legacy
    # tables were never modified. A later `upgrade` inserts only rows that are not there yet.
    log.info("S8-06 downgrade: migrated sessions and messages stay in aria_engine")
