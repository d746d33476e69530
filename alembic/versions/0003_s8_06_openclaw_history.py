"""S8-06: carry every OpenClaw session and message into the engine's chat tables.

Revision ID: 0003_s8_06_openclaw_history
Revises: 0002_s1_01_engine_schema
Create Date: 2026-11-24

Data only. The legacy tables are read where they live, ``public`` or ``aria_data``
(``db/legacy_schema.py``); below, ``legacy`` stands for that schema. These statements, in
this order, the same online and in ``--sql`` for the same schema:

0. the deploy settings every revision sends first (``db/deploy_settings.py``), for this
   transaction only: ``lock_timeout`` 5s (a blocked lock fails fast instead of queueing
   the application behind it), ``statement_timeout`` 0 (off: a role's default must not kill
   a long migration), ``work_mem`` 64MB (the joins below span whole tables; the server
   default of 4MB sends them to disk in dozens of passes); each can be changed with ``-x``.
   Then the guard: it stops the run if ``legacy`` holds no row while the other era does.
1. the placement plan: a temporary table holding every legacy message with the legacy
   session it belongs to, or why it cannot go there (no reference, an unknown id, or a
   session id an engine row this migration did not make already holds: a clash);
   computed once, read by everything below
2. legacy sessions  -> aria_engine.chat_sessions  (same id; ON CONFLICT (id) DO NOTHING)
3. placed messages  -> aria_engine.chat_messages  (same id; ON CONFLICT (id) DO NOTHING)
4. a check, in SQL, that every legacy session and every placed message is now present;
   otherwise it raises and the whole upgrade rolls back. A run that read no legacy session
   at all says so (a warning naming the tables), online and through psql.

Every value is rendered into the SQL (``literal_execute``), never bound: what runs online is
byte for byte what ``--sql`` prints. Online only, and only by reading, the revision also
logs a report (totals, inserted, already present, clashes, messages not placed by reason).

``-x batch_size=N`` (online only) runs steps 2 and 3 in keyset batches of N legacy rows, by
primary key, each committed on its own, with progress in the log; a run killed at any
moment finishes on the next ``upgrade`` with nothing missing and nothing twice. The plan
is still built once, in one statement: only the writes are batched.

No index is added to the legacy tables: placement is one hash join of the messages against
both external keys of every session, so it costs the same whether or not either key is
indexed, and grows with N log N (the benchmark in README measures it up to 1 M rows).
Batches walk the primary keys, and the plan table carries its own indexes.
"""

import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic import context, op
from alembic.util import CommandError
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.base import PGDialect

from db.deploy_settings import Settings, deploy_settings
from db.legacy_schema import guard, legacy_schema

revision: str = "0003_s8_06_openclaw_history"
down_revision: str | Sequence[str] | None = "0002_s1_01_engine_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.s8_06")


class Legacy(NamedTuple):
    """The legacy tables, in the schema this deployment keeps them in."""

    session: sa.TableClause
    message: sa.TableClause


# The schema as 0001 and 0002 leave it; frozen here because the live models will move on.
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

# The placement plan: one row per legacy message, in this session's temporary schema.
plan = sa.table(
    "s8_06_placement",
    sa.column("message_id", sa.Uuid),
    sa.column("session_id", sa.Uuid),
    sa.column("reason", sa.Text),
    sa.column("created_at", sa.DateTime(timezone=True)),
    schema="pg_temp",
)

TITLE_MAX, MODEL_MAX = 500, 200  # aria_engine.chat_sessions.title / .model
# Said when a run read no legacy session at all.
NOTHING_READ = (
    "S8-06 read the legacy tables {session} and {message} and found no session in them: "
    "nothing was migrated; if this deployment's history lives in another schema, run again "
    "with -x legacy_schema=NAME"
)
MIGRATED_SESSION, MIGRATED_MESSAGE = "agent_sessions", "session_messages"
Batch = tuple[Any, Any]  # (lower, upper] of primary keys; lower None for the first batch


def nothing_read_from(legacy: Legacy) -> str:
    s, m = legacy
    return NOTHING_READ.format(session=f"{s.schema}.{s.name}", message=f"{m.schema}.{m.name}")


def lit(value: Any) -> sa.BindParameter[Any]:
    """A constant rendered into the SQL text, online as offline."""
    return sa.literal(value, literal_execute=True)


def literal_sql(query: sa.Select[Any]) -> str:
    """``query`` as PostgreSQL SQL with every value inline, to embed in a larger statement."""
    dialect = PGDialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


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


def within(batch: Batch | None, key: sa.ColumnElement[Any]) -> list[sa.ColumnElement[bool]]:
    """The conditions that keep ``key`` inside ``batch`` (none when not batching)."""
    if batch is None:
        return []
    lower, upper = batch
    return [key <= lit(upper)] + ([] if lower is None else [key > lit(lower)])


def session_by_external_id(legacy: Legacy) -> sa.Subquery:
    """For each external id, the one legacy session it names: the latest started_at wins,
    ties broken by the greater id, so the choice is the same on every run."""
    s = legacy.session
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


def placement(legacy: Legacy) -> sa.Select[Any]:
    """Each legacy message with the legacy session it belongs to, and why it cannot go there
    if it cannot (``reason`` NULL: it goes). A session whose id an engine row this migration
    did not make already holds is a clash: nothing is put into it."""
    m, s, by_ext = legacy.message, legacy.session, session_by_external_id(legacy)
    direct = s.alias("direct")
    native = engine_session.alias("native")
    session_id = sa.func.coalesce(direct.c.id, by_ext.c.session_id)
    reason = sa.case(
        (native.c.id.is_not(None), lit("session id clash")),
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
    ).select_from(
        m.outerjoin(direct, direct.c.id == m.c.session_id)
        .outerjoin(
            by_ext,
            sa.and_(m.c.session_id.is_(None), by_ext.c.external_id == m.c.external_session_id),
        )
        .outerjoin(native, sa.and_(native.c.id == session_id, not_owned(native)))
    )


def plan_placement(legacy: Legacy, batched: bool) -> list[sa.Executable]:
    """Create and fill the plan. In one transaction it goes with the commit; in batches it
    must outlive each batch's commit, and carries the indexes the batches look up by."""
    rows = literal_sql(placement(legacy))
    on_commit = "PRESERVE ROWS" if batched else "DROP"
    statements: list[sa.Executable] = [
        sa.text(f"CREATE TEMPORARY TABLE pg_temp.{plan.name} ON COMMIT {on_commit} AS\n{rows}")
    ]
    if batched:
        statements += [
            sa.text(f"ALTER TABLE pg_temp.{plan.name} ADD PRIMARY KEY (message_id)"),
            sa.text(f"CREATE INDEX ON pg_temp.{plan.name} (session_id)"),
        ]
    # Temporary tables are never analyzed by autovacuum; the joins below need real counts.
    statements.append(sa.text(f"ANALYZE pg_temp.{plan.name}"))
    return statements


def migrate_sessions(legacy: Legacy, batch: Batch | None = None) -> sa.Insert:
    s = legacy.session
    stats = (
        sa.select(
            plan.c.session_id,
            sa.func.count().label("message_count"),
            sa.func.min(plan.c.created_at).label("first_message_at"),
            sa.func.max(plan.c.created_at).label("last_message_at"),
        )
        .where(plan.c.reason.is_(None), *within(batch, plan.c.session_id))
        .group_by(plan.c.session_id)
        .subquery("stats")
    )
    # Stored in the order they began (sorted before the envelope is built, so the sort moves
    # the source rows, not the wider results): the created_at and updated_at indexes then
    # grow at their right edge instead of being rewritten page by page all over, which at
    # 1M sessions, far beyond shared_buffers, cost up to a third of this statement.
    began = sa.func.coalesce(s.c.started_at, stats.c.first_message_at, s.c.ended_at)
    source = (
        sa.select(s, stats.c.message_count, stats.c.last_message_at, began.label("began"))
        .outerjoin_from(s, stats, stats.c.session_id == s.c.id)
        .where(*within(batch, s.c.id))
        .order_by(began)
        .subquery("legacy_session")
    )
    o = source.c
    label = field(o.metadata, "openclaw_session", "label")
    model = sa.func.coalesce(
        field(o.metadata, "model"), field(o.metadata, "openclaw_session", "model")
    )
    # A session with no time at all began now: last in the order above too (NULLS LAST).
    created_at = sa.func.coalesce(o.began, sa.func.now())
    rows = sa.select(
        o.id,
        sa.case((blank(o.agent_id), lit("main")), else_=o.agent_id),
        sa.func.coalesce(o.session_type, lit("interactive")),
        text_or_null(label, TITLE_MAX),
        text_or_null(model, MODEL_MAX),
        lit("ended"),
        sa.func.coalesce(o.message_count, lit(0)),
        o.tokens_used,
        o.cost_usd,
        envelope(
            MIGRATED_SESSION,
            o.metadata,
            migration_date=sa.func.now(),
            source=sa.func.coalesce(field(o.metadata, "source"), lit("unknown")),
            original_type=o.session_type,
            original_status=o.status,
            original_messages_count=o.messages_count,
            original_tokens_used=o.tokens_used,
            original_cost_usd=o.cost_usd,
        ),
        created_at,
        sa.func.coalesce(sa.func.greatest(o.started_at, o.ended_at, o.last_message_at), created_at),
        o.ended_at,
    )
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
    m, target = legacy.message, engine_session
    # In time order (sorted before the envelope is built): the created_at index grows at its
    # right edge, and each foreign-key check finds its session near the last one's in the
    # table, where the sessions were stored in the order they began.
    source = (
        sa.select(m, plan.c.session_id.label("placed_in"))
        .join_from(m, plan, plan.c.message_id == m.c.id)
        .where(plan.c.reason.is_(None), *within(batch, m.c.id))
        .order_by(plan.c.created_at)
        .subquery("legacy_message")
    )
    o = source.c
    # Only for a message with no time of its own: the time its session was given.
    session_created_at = (
        sa.select(target.c.created_at).where(target.c.id == o.placed_in).scalar_subquery()
    )
    rows = sa.select(
        o.id,
        o.placed_in,
        o.role,
        o.content,
        envelope(
            MIGRATED_MESSAGE,
            o.metadata,
            external_session_id=o.external_session_id,
            content_hash=o.content_hash,
            source_channel=o.source_channel,
            agent_id=o.agent_id,
        ),
        sa.func.coalesce(o.created_at, session_created_at),
    )
    return (
        postgresql.insert(engine_message)
        .from_select(["id", "session_id", "role", "content", "metadata", "created_at"], rows)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def missing(legacy: Legacy) -> sa.Select[Any]:
    """Legacy sessions absent from the engine, and placed messages absent from it."""
    s = legacy.session
    sessions = (
        sa.select(sa.func.count())
        .select_from(s)
        .where(~sa.exists().where(engine_session.c.id == s.c.id))
    )
    messages = (
        sa.select(sa.func.count())
        .select_from(plan)
        .where(
            plan.c.reason.is_(None),
            ~sa.exists().where(engine_message.c.id == plan.c.message_id),
        )
    )
    return sa.select(
        sessions.scalar_subquery().label("sessions"), messages.scalar_subquery().label("messages")
    )


def verify_complete(legacy: Legacy, batched: bool = False) -> sa.TextClause:
    """Raise, rolling the upgrade back, unless nothing that could be migrated is missing;
    warn when there was nothing to migrate at all, naming the tables read."""
    s = legacy.session
    query = literal_sql(missing(legacy))
    nothing_read = nothing_read_from(legacy).replace("'", "''")
    outcome = (
        "the batches done so far stay committed and the revision is not recorded; "
        "run the same upgrade again"
        if batched
        else "nothing was committed"
    )
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
            || 'from the engine tables after the insert; {outcome}';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM {s.schema}.{s.name}) THEN
        RAISE WARNING USING MESSAGE = '{nothing_read}';
    END IF;
END
$verify$"""
    )


def migration_statements(legacy: Legacy) -> list[sa.Executable]:
    """Plan, sessions, messages, proof: the work of one transaction."""
    return [
        *plan_placement(legacy, batched=False),
        migrate_sessions(legacy),
        migrate_messages(legacy),
        verify_complete(legacy),
    ]


def build_migration_statements(
    settings: Settings | None = None, schema: str = "public"
) -> list[sa.Executable]:
    """Every statement this revision sends in one transaction, in order."""
    legacy = legacy_tables(schema)
    return [*deploy_settings(settings or Settings()), guard(schema), *migration_statements(legacy)]


def keyset_batches(
    connection: sa.Connection, key: sa.ColumnElement[Any], size: int
) -> Iterator[Batch]:
    """(lower, upper] ranges of ``size`` keys each, found by walking the primary key index:
    no OFFSET, so each step costs the same however far along it is."""
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


def upgrade() -> None:
    settings = Settings.from_x_arguments(context.get_x_argument(as_dictionary=True))
    if settings.batch_size and context.is_offline_mode():
        raise CommandError(
            "-x batch_size works online only: batch boundaries are read from the data, and "
            "each batch commits on its own; --sql prints the single-transaction migration"
        )
    for setting in deploy_settings(settings, "SESSION" if settings.batch_size else "LOCAL"):
        op.execute(setting)
    legacy = legacy_tables(legacy_schema())
    op.execute(guard(legacy_schema()))
    report = None if context.is_offline_mode() else Report(op.get_bind(), legacy)
    if settings.batch_size:
        upgrade_in_batches(settings.batch_size, legacy)
    else:
        for statement in migration_statements(legacy):
            op.execute(statement)
    if report is not None:
        report.log_after()
    if settings.batch_size:
        op.execute(sa.text(f"DROP TABLE pg_temp.{plan.name}"))


def upgrade_in_batches(size: int, legacy: Legacy) -> None:
    connection = op.get_bind()
    with op.get_context().autocommit_block():
        for statement in plan_placement(legacy, batched=True):
            op.execute(statement)
        for name, key, migrate in (
            ("sessions", legacy.session.c.id, migrate_sessions),
            ("messages", legacy.message.c.id, migrate_messages),
        ):
            total = connection.scalar(sa.select(sa.func.count(key))) or 0
            progress = Progress(name, total, size)
            for batch in keyset_batches(connection, key, size):
                op.execute(migrate(legacy, batch))
                progress.step()
    # In the transaction that records the revision: a failed check leaves it unrecorded.
    op.execute(verify_complete(legacy, batched=True))


def downgrade() -> None:
    # Nothing is removed: the migrated rows are the engine's history now, and the legacy
    # tables were never modified. A later `upgrade` inserts only rows that are not there yet.
    log.info("S8-06 downgrade: migrated sessions and messages stay in aria_engine")


class Progress:
    """One log line per committed batch: rows done of total, rate, and time left."""

    def __init__(self, name: str, total: int, size: int) -> None:
        self.name, self.total, self.size = name, total, size
        self.done = 0
        self.started = time.monotonic()

    def step(self) -> None:
        self.done = min(self.done + self.size, self.total)
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        left = (self.total - self.done) / rate
        log.info(
            "S8-06 %s: %d / %d legacy rows done (%.0f%%), %.0f rows/s, about %.0f s left",
            self.name, self.done, self.total, 100 * self.done / max(self.total, 1), rate, left,
        )  # fmt: skip


class Report:
    """Figures for the log, read from the connection; never a write.

    Rows inserted are the INSERT statements' own counts (from the driver, summed over
    batches); rows already there and clashes are counted before anything is inserted, while
    the engine tables hold only what earlier runs and the engine put there. Every query is
    tagged ``/* s8_06 report */`` so that a reviewer comparing the online statements with
    ``--sql`` can tell them apart.
    """

    def __init__(self, connection: sa.Connection, legacy: Legacy) -> None:
        self.connection, self.legacy = connection, legacy
        self.inserted: Counter[str] = Counter()
        s, m = legacy
        present = self._one(
            sa.select(
                sa.func.count().filter(owned(engine_session)),
                sa.func.count().filter(not_owned(engine_session)),
            ).join_from(s, engine_session, engine_session.c.id == s.c.id)
        )
        self.sessions_present, self.clashes = present
        self.messages_present = self._one(
            sa.select(sa.func.count())
            .join_from(m, engine_message, engine_message.c.id == m.c.id)
            .where(field(engine_message.c.metadata, "migrated_from") == lit(MIGRATED_MESSAGE))
        )[0]
        sa.event.listen(connection, "after_cursor_execute", self._count_inserted)

    def _count_inserted(
        self, _conn: Any, cursor: Any, _sql: str, _params: Any, execution: Any, _many: bool
    ) -> None:
        statement = getattr(getattr(execution, "compiled", None), "statement", None)
        if isinstance(statement, sa.Insert) and statement.table in (engine_session, engine_message):
            self.inserted[statement.table.name] += max(cursor.rowcount, 0)

    def _one(self, query: Any) -> tuple[Any, ...]:
        return tuple(self.connection.execute(query.prefix_with("/* s8_06 report */")).one())

    def log_after(self) -> None:
        sa.event.remove(self.connection, "after_cursor_execute", self._count_inserted)
        s, m = self.legacy
        legacy_sessions, legacy_messages = self._one(
            sa.select(
                sa.select(sa.func.count()).select_from(s).scalar_subquery(),
                sa.select(sa.func.count()).select_from(m).scalar_subquery(),
            )
        )
        unplaced = {
            reason: count
            for reason, count in self.connection.execute(
                sa.select(plan.c.reason, sa.func.count())
                .where(plan.c.reason.is_not(None))
                .group_by(plan.c.reason)
                .prefix_with("/* s8_06 report */")
            )
        }
        log.info(
            "S8-06 sessions: %d legacy, %d inserted, %d already present, %d clashes",
            legacy_sessions, self.inserted["chat_sessions"], self.sessions_present, self.clashes,
        )  # fmt: skip
        log.info(
            "S8-06 messages: %d legacy, %d inserted, %d already present, %d not placed",
            legacy_messages, self.inserted["chat_messages"], self.messages_present,
            sum(unplaced.values()),
        )  # fmt: skip
        for reason, count in sorted(unplaced.items()):
            log.info("S8-06 messages not placed (%s): %d", reason, count)
        if not legacy_sessions:
            log.warning(nothing_read_from(self.legacy))
        if self.clashes:
            first = self.connection.scalars(
                sa.select(s.c.id)
                .join(engine_session, engine_session.c.id == s.c.id)
                .where(not_owned(engine_session))
                .order_by(s.c.id)
                .limit(5)
                .prefix_with("/* s8_06 report */")
            )
            log.warning(
                "S8-06 %d legacy session id(s) already belong to engine sessions this migration "
                "did not make; those were left as they are, with no legacy message put into "
                "them. First: %s",
                self.clashes, ", ".join(str(i) for i in first),
            )  # fmt: skip
