"""S8-06: carry every OpenClaw session and message into the engine's chat tables.

Revision ID: 0003_s8_06_openclaw_history
Revises: 0002_s1_01_engine_schema
Create Date: 2026-11-24

Data only. Three statements, in this order, the same online and in ``--sql``:

1. legacy sessions  -> aria_engine.chat_sessions  (same id; ON CONFLICT (id) DO NOTHING)
2. legacy messages  -> aria_engine.chat_messages  (same id; only into sessions this
   migration owns, so no foreign-key or NOT NULL error can occur)
3. a check, in SQL, that every legacy session and every placeable message is now present;
   otherwise it raises and the whole upgrade rolls back.

Every value is rendered into the SQL (``literal_execute``), never bound: what runs online is
byte for byte what ``--sql`` prints. Online only, and only by reading, the revision also
logs a report (totals, inserted, already present, clashes, messages not placed by reason).
"""

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003_s8_06_openclaw_history"
down_revision: str | Sequence[str] | None = "0002_s1_01_engine_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.s8_06")

# The schema as 0001 and 0002 leave it; frozen here because the live models will move on.
legacy_session = sa.table(
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
    schema="public",
)
legacy_message = sa.table(
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
    schema="public",
)
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

TITLE_MAX, MODEL_MAX = 500, 200  # aria_engine.chat_sessions.title / .model
MIGRATED_SESSION, MIGRATED_MESSAGE = "agent_sessions", "session_messages"


def lit(value: Any) -> sa.BindParameter[Any]:
    """A constant rendered into the SQL text, online as offline."""
    return sa.literal(value, literal_execute=True)


def field(document: sa.ColumnElement[Any], *path: str) -> sa.ColumnElement[Any]:
    """``document -> path[0] -> … ->> path[-1]``: NULL, never an error, whatever the JSON
    holds (an array, a scalar, null). Spelled with operators, not jsonb subscripts, which
    PostgreSQL 13 lacks."""
    for key in path[:-1]:
        document = document.op("->", return_type=JSONB)(lit(key))
    return document.op("->>", return_type=sa.Text)(lit(path[-1]))


def blank(value: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """NULL, empty, or white space only."""
    return sa.func.coalesce(value, lit("")).regexp_match(lit("^[[:space:]]*$"))


def text_or_null(value: sa.ColumnElement[Any], limit: int) -> sa.ColumnElement[Any]:
    """A text value cut to its column's width; blank means unknown (NULL)."""
    return sa.case((blank(value), sa.null()), else_=sa.func.left(value, lit(limit)))


def envelope(
    migrated_from: str, original_metadata: sa.ColumnElement[Any], **fields: Any
) -> sa.ColumnElement[Any]:
    """The migration envelope. ``original_metadata`` is kept exactly: the key is absent when
    the source was SQL NULL, and holds JSON ``null`` when the source was JSON ``null``."""
    pairs: list[Any] = [lit("migrated_from"), lit(migrated_from)]
    for key, value in fields.items():
        pairs += [lit(key), value]
    base = sa.func.jsonb_build_object(*pairs, type_=JSONB)
    original = sa.func.jsonb_build_object(lit("original_metadata"), original_metadata)
    return base.op("||")(
        sa.case((original_metadata.is_(None), sa.cast(lit("{}"), JSONB)), else_=original)
    )


def owned(session: Any) -> sa.ColumnElement[bool]:
    """An engine session this migration made (anything else with a legacy id is a clash)."""
    return field(session.c.metadata, "migrated_from") == lit(MIGRATED_SESSION)


def not_owned(session: Any) -> sa.ColumnElement[bool]:
    """Not ``owned``, NULL included: a native session's metadata may lack the key."""
    return field(session.c.metadata, "migrated_from").is_distinct_from(lit(MIGRATED_SESSION))


def session_by_external_id() -> sa.Subquery:
    """For each external id, the one legacy session it names: the latest started_at wins,
    ties broken by the greater id, so the choice is the same on every run."""
    s = legacy_session
    key = sa.func.unnest(
        postgresql.array(
            [field(s.c.metadata, "openclaw_session_id"), field(s.c.metadata, "external_session_id")]
        )
    ).label("external_id")
    keyed = sa.select(key, s.c.id, s.c.started_at).subquery("keyed")
    return (
        sa.select(keyed.c.external_id, keyed.c.id.label("session_id"))
        .where(keyed.c.external_id.is_not(None))
        .ext(postgresql.distinct_on(keyed.c.external_id))
        .order_by(keyed.c.external_id, keyed.c.started_at.desc().nulls_last(), keyed.c.id.desc())
        .subquery("by_external_id")
    )


def placement() -> sa.Subquery:
    """Each legacy message with the legacy session it belongs to (NULL: cannot be placed)
    and why not, if not."""
    m, s, by_ext = legacy_message, legacy_session, session_by_external_id()
    direct = s.alias("direct")
    session_id = sa.func.coalesce(direct.c.id, by_ext.c.session_id)
    reason = sa.case(
        (session_id.is_not(None), sa.null()),
        (m.c.session_id.is_not(None), lit("unknown session id")),
        (m.c.external_session_id.is_(None), lit("no session reference")),
        else_=lit("unknown external id"),
    )
    return (
        sa.select(
            m.c.id.label("message_id"), session_id.label("session_id"), reason.label("reason")
        )
        .select_from(
            m.outerjoin(direct, direct.c.id == m.c.session_id).outerjoin(
                by_ext,
                sa.and_(m.c.session_id.is_(None), by_ext.c.external_id == m.c.external_session_id),
            )
        )
        .subquery("placement")
    )


def migrate_sessions() -> sa.Insert:
    s, p = legacy_session, placement()
    m = legacy_message
    stats = (
        sa.select(
            p.c.session_id,
            sa.func.count().label("message_count"),
            sa.func.min(m.c.created_at).label("first_message_at"),
            sa.func.max(m.c.created_at).label("last_message_at"),
        )
        .join_from(p, m, m.c.id == p.c.message_id)
        .where(p.c.session_id.is_not(None))
        .group_by(p.c.session_id)
        .subquery("stats")
    )
    label = field(s.c.metadata, "openclaw_session", "label")
    model = sa.func.coalesce(
        field(s.c.metadata, "model"), field(s.c.metadata, "openclaw_session", "model")
    )
    created_at = sa.func.coalesce(
        s.c.started_at, stats.c.first_message_at, s.c.ended_at, sa.func.now()
    )
    rows = sa.select(
        s.c.id,
        sa.case((blank(s.c.agent_id), lit("main")), else_=s.c.agent_id),
        sa.func.coalesce(s.c.session_type, lit("interactive")),
        text_or_null(label, TITLE_MAX),
        text_or_null(model, MODEL_MAX),
        lit("ended"),
        sa.func.coalesce(stats.c.message_count, lit(0)),
        s.c.tokens_used,
        s.c.cost_usd,
        envelope(
            MIGRATED_SESSION,
            s.c.metadata,
            migration_date=sa.func.now(),
            source=sa.func.coalesce(field(s.c.metadata, "source"), lit("unknown")),
            original_type=s.c.session_type,
            original_status=s.c.status,
            original_messages_count=s.c.messages_count,
            original_tokens_used=s.c.tokens_used,
            original_cost_usd=s.c.cost_usd,
        ),
        created_at,
        sa.func.coalesce(
            sa.func.greatest(s.c.started_at, s.c.ended_at, stats.c.last_message_at), created_at
        ),
        s.c.ended_at,
    ).outerjoin_from(s, stats, stats.c.session_id == s.c.id)
    columns = [
        "id", "agent_id", "session_type", "title", "model", "status", "message_count",
        "total_tokens", "total_cost", "metadata", "created_at", "updated_at", "ended_at",
    ]  # fmt: skip
    return (
        postgresql.insert(engine_session)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def migrate_messages() -> sa.Insert:
    m, p, target = legacy_message, placement(), engine_session
    rows = (
        sa.select(
            m.c.id,
            p.c.session_id,
            m.c.role,
            m.c.content,
            envelope(
                MIGRATED_MESSAGE,
                m.c.metadata,
                external_session_id=m.c.external_session_id,
                content_hash=m.c.content_hash,
                source_channel=m.c.source_channel,
                agent_id=m.c.agent_id,
            ),
            sa.func.coalesce(m.c.created_at, target.c.created_at),
        )
        .join_from(m, p, p.c.message_id == m.c.id)
        .join(target, target.c.id == p.c.session_id)
        .where(owned(target))
    )
    return (
        postgresql.insert(engine_message)
        .from_select(["id", "session_id", "role", "content", "metadata", "created_at"], rows)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def missing() -> sa.Select[Any]:
    """Legacy sessions absent from the engine, and placeable messages absent from it."""
    s, p, target = legacy_session, placement(), engine_session
    sessions = (
        sa.select(sa.func.count())
        .select_from(s)
        .where(~sa.exists().where(engine_session.c.id == s.c.id))
    )
    messages = (
        sa.select(sa.func.count())
        .select_from(p.join(target, target.c.id == p.c.session_id))
        .where(owned(target), ~sa.exists().where(engine_message.c.id == p.c.message_id))
    )
    return sa.select(
        sessions.scalar_subquery().label("sessions"), messages.scalar_subquery().label("messages")
    )


def verify_complete() -> sa.TextClause:
    """Raise, rolling the upgrade back, unless nothing that could be migrated is missing."""
    query = missing().compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    return sa.text(
        f"""DO $verify$
DECLARE
    sessions bigint;
    messages bigint;
BEGIN
    SELECT counted.sessions, counted.messages INTO sessions, messages
    FROM ({query}) AS counted;
    IF sessions > 0 OR messages > 0 THEN
        RAISE EXCEPTION USING MESSAGE = 'S8-06 verification failed: ' || sessions
            || ' legacy session(s) and ' || messages || ' placeable message(s) are missing '
            || 'from the engine tables after the insert; nothing was committed';
    END IF;
END
$verify$"""
    )


def build_migration_statements() -> list[sa.Executable]:
    """The statements this revision sends, in order: sessions, then messages, then proof."""
    return [migrate_sessions(), migrate_messages(), verify_complete()]


def upgrade() -> None:
    report = None if context.is_offline_mode() else Report(op.get_bind())
    for statement in build_migration_statements():
        op.execute(statement)
    if report is not None:
        report.log_after()


def downgrade() -> None:
    # Nothing is removed: the migrated rows are the engine's history now, and the legacy
    # tables were never modified. A later `upgrade` inserts only rows that are not there yet.
    log.info("S8-06 downgrade: migrated sessions and messages stay in aria_engine")


class Report:
    """Figures for the log, read from the connection (``op.execute`` returns no row count).

    Every query is a read, tagged ``/* s8_06 report */`` so that a reviewer comparing the
    online statements with ``--sql`` can tell them apart.
    """

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.before = self._owned_counts()

    def _scalar(self, query: sa.Select[Any]) -> Any:
        return self.connection.execute(query.prefix_with("/* s8_06 report */")).scalar_one()

    def _owned_counts(self) -> tuple[int, int]:
        owned_sessions = self._scalar(
            sa.select(sa.func.count()).select_from(engine_session).where(owned(engine_session))
        )
        owned_messages = self._scalar(
            sa.select(sa.func.count())
            .select_from(engine_message)
            .where(field(engine_message.c.metadata, "migrated_from") == lit(MIGRATED_MESSAGE))
        )
        return owned_sessions, owned_messages

    def log_after(self) -> None:
        s, m, target = legacy_session, legacy_message, engine_session
        after = self._owned_counts()
        legacy_sessions = self._scalar(sa.select(sa.func.count()).select_from(s))
        legacy_messages = self._scalar(sa.select(sa.func.count()).select_from(m))
        clash_query = (
            sa.select(s.c.id)
            .join(target, target.c.id == s.c.id)
            .where(not_owned(target))
            .order_by(s.c.id)
        )
        clashes = self._scalar(sa.select(sa.func.count()).select_from(clash_query.subquery()))
        first_clashes = list(
            self.connection.scalars(clash_query.limit(5).prefix_with("/* s8_06 report */"))
        )
        p = placement()
        unplaced = dict(
            self.connection.execute(
                sa.select(p.c.reason, sa.func.count())
                .where(p.c.reason.is_not(None))
                .group_by(p.c.reason)
                .prefix_with("/* s8_06 report */")
            ).all()
        )
        into_clash = self._scalar(
            sa.select(sa.func.count())
            .select_from(p.join(target, target.c.id == p.c.session_id))
            .where(not_owned(target))
        )
        if into_clash:
            unplaced["session id clash"] = into_clash
        log.info(
            "S8-06 sessions: %d legacy, %d inserted, %d already present, %d clashes",
            legacy_sessions, after[0] - self.before[0], self.before[0], clashes,
        )  # fmt: skip
        log.info(
            "S8-06 messages: %d legacy, %d inserted, %d already present, %d not placed",
            legacy_messages, after[1] - self.before[1], self.before[1], sum(unplaced.values()),
        )  # fmt: skip
        for reason, count in sorted(unplaced.items()):
            log.info("S8-06 messages not placed (%s): %d", reason, count)
        if clashes:
            log.warning(
                "S8-06 %d legacy session id(s) already belong to engine sessions this migration "
                "did not make; those were left as they are, with no legacy message put into "
                "them. First: %s",
                clashes, ", ".join(str(i) for i in first_clashes),
            )  # fmt: skip
