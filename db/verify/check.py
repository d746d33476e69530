"""The verification report's check: where is every legacy row now?

Reads the legacy ``agent_sessions`` / ``session_messages`` (in ``public`` or ``aria_data``,
found as the migration finds them, or named), ``aria_engine.chat_sessions`` /
``chat_messages``, the archive tables when they exist, and the record of what S8-06 carried
(``public.s8_06_carried_*``) when a run has written one. Each legacy row is then ``live``
or ``archived`` (carried, and where the engine keeps it now), ``removed`` (the record says
it was carried, and it is no longer in the engine: the application or a user deleted it),
``not_migrated`` (a clash, or a message that cannot be placed, by reason), ``arrived`` (no
run has read it yet: ``db/verify/arrived.py``) or ``missing`` (a run read it, and it is
neither carried nor reported: the only cause of exit status 1); overall, by agent and by
source. It holds at any later time, whatever the application's loops did meanwhile.
``db/verify/command.py`` is the command that prints it.

Without a record (a database an earlier release migrated, before the next upgrade), a row
the migration made is recognised by its envelope; one carried and deleted since cannot be
told from one never carried, and counts as missing.

Placement follows the S8-06 mapping, restated here from docs/mapping.md rather than
imported from the revision, so that the check does not share the code it checks: a message
belongs to its ``session_id``, else to the legacy session whose ``openclaw_session_id``,
``aria_session_id`` or ``external_session_id`` equals its ``external_session_id`` (latest
``started_at``, then greater id, over all three: the application's rule in both eras). It
cannot be placed without such a session, when its own id or that session's id is held by an
engine row the migration did not make (a clash), or when its session was carried and removed
before it arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB

from db.deploy.legacy_schema import find_legacy_schema
from db.schema.archive import ChatMessageArchive, ChatSessionArchive
from db.schema.carried import CarriedMessage, CarriedRun, CarriedSession
from db.schema.chat import SCHEMA as ENGINE_SCHEMA
from db.schema.chat import ChatMessage, ChatSession
from db.schema.legacy import LegacyMessage, LegacySession
from db.verify.arrived import Arrived, read_by_last_run, snapshot_recorded

MIGRATED_SESSION, MIGRATED_MESSAGE = "agent_sessions", "session_messages"
# The metadata keys that name a session's external id: OpenClaw's up to 2026-02-18, the
# application's since it renamed "openclaw" on 2026-02-19; external_session_id in both.
EXTERNAL_ID_KEYS = ("openclaw_session_id", "aria_session_id", "external_session_id")
NOT_PLACEABLE = ("no session reference", "unknown session id", "unknown external id",
                 "session id clash", "message id clash", "session removed")  # fmt: skip
COMPLETE, INCOMPLETE, COULD_NOT_CHECK, NOTHING_TO_VERIFY, ARRIVED_SINCE = 0, 1, 2, 3, 4
NO_RECORD = (
    "no record of what was carried (a database an earlier release migrated, not upgraded "
    "since): rows are recognised by their envelope, and a row carried and deleted since "
    "counts as missing"
)


@dataclass
class Counts:
    legacy: int = 0
    live: int = 0  # carried, in chat_sessions / chat_messages
    archived: int = 0  # carried, in the archive tables
    removed: int = 0  # carried (the record says so), deleted since by the application or a user
    not_migrated: int = 0  # clashing sessions; messages that cannot be placed
    missing: int = 0  # read by a run, and neither carried nor reported: a loss
    arrived: int = 0  # no run has read it yet: the next carry will

    @property
    def carried(self) -> int:
        return self.live + self.archived + self.removed


@dataclass
class Group:
    name: str
    sessions: Counts = field(default_factory=Counts)
    messages: Counts = field(default_factory=Counts)


@dataclass
class Record:
    """What the record says: its runs, and the rows it holds."""

    runs: int
    last_run_at: datetime | None
    sessions: int
    messages: int
    earlier_release: int  # rows an earlier release carried, found and recorded by a run


@dataclass
class Verification:
    legacy_tables: list[str]
    archive_tables: list[str]  # those that exist, and were read
    record: Record | None  # None: no run has written one; see NO_RECORD
    sessions: Counts
    messages: Counts
    not_placeable: dict[str, int]
    by_agent: list[Group]
    by_source: list[Group]
    arrived_sessions: Arrived = field(default_factory=Arrived)  # their started_at
    arrived_messages: Arrived = field(default_factory=Arrived)  # their created_at
    retired_at: datetime | None = None  # the legacy tables read were retired then (aria-finish)

    @property
    def complete(self) -> bool:
        """Nothing a run read is missing (rows that arrived since are the next run's)."""
        return self.sessions.missing == 0 and self.messages.missing == 0

    @property
    def arrived(self) -> int:
        return self.sessions.arrived + self.messages.arrived

    @property
    def nothing_to_verify(self) -> bool:
        return self.sessions.legacy == 0 and self.messages.legacy == 0

    @property
    def status(self) -> int:
        if self.nothing_to_verify:
            return NOTHING_TO_VERIFY
        if not self.complete:
            return INCOMPLETE
        return ARRIVED_SINCE if self.arrived else COMPLETE


def _key(column: sa.ColumnElement[Any], key: str) -> sa.ColumnElement[Any]:
    return column.op("->>", return_type=sa.Text)(sa.literal(key))


def _ours(table: Any, migrated_from: str) -> sa.ColumnElement[bool]:
    return _key(table.c.metadata, "migrated_from") == migrated_from


@dataclass(frozen=True)
class Sources:
    """Which of the tables beside the legacy and live ones exist (and hold a run's record),
    and whether a run recorded the snapshot it read under (0006 on)."""

    archive: bool
    record: bool
    snapshot: bool = False


def _where(
    rows: Any, key: sa.ColumnElement[Any], tables: tuple[Any, Any, Any], migrated_from: str,
    clash: str, sources: Sources,
) -> tuple[Any, list[tuple[sa.ColumnElement[bool], str]]]:  # fmt: skip
    """``rows`` joined to the live, archived and recorded rows at ``key``, and the cases that
    say where the row is: live, archived, removed, or ``clash`` (an engine row the migration
    did not make holds the id). Whatever matches none of them was never carried."""
    live, archived, record = tables
    rows = rows.outerjoin(live, live.c.id == key)
    if sources.archive:
        rows = rows.outerjoin(archived, archived.c.id == key)
    if not sources.record:
        # Recognised by the envelope; an archived row the migration did not make was a clash
        # before it was archived.
        whens = [(_ours(live, migrated_from), "live"), (live.c.id.is_not(None), clash)]
        if sources.archive:
            whens += [(_ours(archived, migrated_from), "archived"),
                      (archived.c.id.is_not(None), clash)]  # fmt: skip
        return rows, whens
    rows = rows.outerjoin(record, record.c.id == key)
    carried = record.c.id.is_not(None)
    whens = [(carried & live.c.id.is_not(None), "live")]
    if sources.archive:
        whens.append((carried & archived.c.id.is_not(None), "archived"))
    whens += [(carried, "removed"), (live.c.id.is_not(None), clash)]
    if sources.archive:
        whens.append((archived.c.id.is_not(None), clash))
    return rows, whens


def session_status(s: sa.Table, sources: Sources) -> sa.Subquery:
    """Each legacy session: its agent and source as migrated, and live / archived / removed
    / clash (``not_migrated``) / missing."""
    tables = (ChatSession.__table__, ChatSessionArchive.__table__, CarriedSession.__table__)
    rows, whens = _where(s, s.c.id, tables, MIGRATED_SESSION, "not_migrated", sources)
    status = sa.case(*whens, (~read_by_last_run(s, sources.snapshot), "arrived"), else_="missing")
    blank = sa.func.coalesce(s.c.agent_id, "").regexp_match("^[[:space:]]*$")
    agent = sa.case((blank, "main"), else_=s.c.agent_id)
    # Only a JSON string names a source; anything else there counts as none.
    named = sa.func.jsonb_typeof(s.c.metadata.op("->", return_type=JSONB)("source")) == "string"
    source = sa.func.coalesce(sa.case((named, _key(s.c.metadata, "source"))), "unknown")
    return (
        sa.select(
            s.c.id,
            agent.label("agent"),
            source.label("source"),
            status.label("status"),
            s.c.started_at.label("at"),
        )
        .select_from(rows)
        .subquery("session_status")
    )


def message_status(
    s: sa.Table, m: sa.Table, sessions: sa.Subquery, sources: Sources
) -> sa.Subquery:
    """Each legacy message: the session it belongs to, and live / archived / removed /
    missing / the reason it could not be placed."""
    keys = sa.func.unnest(
        postgresql.array([_key(s.c.metadata, key) for key in EXTERNAL_ID_KEYS])
    ).label("external_id")
    keyed = sa.select(keys, s.c.id, s.c.started_at).subquery("keyed")
    by_external_id = (
        sa.select(keyed.c.external_id, keyed.c.id)
        .where(keyed.c.external_id.is_not(None))
        .ext(postgresql.distinct_on(keyed.c.external_id))
        .order_by(keyed.c.external_id, keyed.c.started_at.desc().nulls_last(), keyed.c.id.desc())
        .subquery("by_external_id")
    )
    direct = s.alias("direct")
    owner = sessions.alias("owner")
    rows = (
        m.outerjoin(direct, direct.c.id == m.c.session_id)
        .outerjoin(
            by_external_id,
            sa.and_(
                m.c.session_id.is_(None),
                by_external_id.c.external_id == m.c.external_session_id,
            ),
        )
        .outerjoin(owner, owner.c.id == sa.func.coalesce(direct.c.id, by_external_id.c.id))
    )
    tables = (ChatMessage.__table__, ChatMessageArchive.__table__, CarriedMessage.__table__)
    rows, whens = _where(rows, m.c.id, tables, MIGRATED_MESSAGE, "message id clash", sources)
    status = sa.case(
        *whens,
        (~read_by_last_run(m, sources.snapshot), "arrived"),
        (owner.c.status == "not_migrated", "session id clash"),
        (owner.c.status == "removed", "session removed"),
        (owner.c.id.is_not(None), "missing"),
        (m.c.session_id.is_not(None), "unknown session id"),
        (m.c.external_session_id.is_(None), "no session reference"),
        else_="unknown external id",
    )
    return (
        sa.select(
            m.c.id,
            sa.func.coalesce(owner.c.agent, "(not placeable)").label("agent"),
            sa.func.coalesce(owner.c.source, "(not placeable)").label("source"),
            status.label("status"),
            m.c.created_at.label("at"),
        )
        .select_from(rows)
        .subquery("message_status")
    )


class StatusCounts(dict[str, int]):
    """{status: rows}; a status never seen counts 0."""

    def __missing__(self, key: str) -> int:
        return 0

    def counts(self) -> Counts:
        not_migrated = self["not_migrated"] + sum(self[reason] for reason in NOT_PLACEABLE)
        return Counts(sum(self.values()), self["live"], self["archived"], self["removed"],
                      not_migrated, self["missing"], self["arrived"])  # fmt: skip


Tallies = dict[str, dict[str, StatusCounts]]


def _tally(connection: sa.Connection, rows: sa.Subquery) -> tuple[Tallies, Arrived]:
    """One pass over ``rows``: {"all" | "agent" | "source": {group: {status: count}}}, and
    the times of the oldest and newest row that arrived since the last run."""
    tallies: Tallies = {"all": {}, "agent": {}, "source": {}}
    arrived = Arrived()
    for agent, source, status, count, oldest, newest in connection.execute(
        sa.select(rows.c.agent, rows.c.source, rows.c.status, sa.func.count(),
                  sa.func.min(rows.c.at), sa.func.max(rows.c.at))
        .group_by(rows.c.agent, rows.c.source, rows.c.status)
    ):  # fmt: skip
        for by, name in (("all", "all"), ("agent", agent), ("source", source)):
            group = tallies[by].setdefault(name, StatusCounts())
            group[status] += count
        if status == "arrived":
            arrived = arrived.widened(oldest, newest)
    return tallies, arrived


def _existing(connection: sa.Connection, *tables: Any) -> list[str]:
    names = [f"{table.schema}.{table.name}" for table in tables]
    return [n for n in names if connection.scalar(sa.select(sa.func.to_regclass(n))) is not None]


def read_record(connection: sa.Connection) -> Record | None:
    """What the record holds, or None where no run has written one."""
    tables = (CarriedRun.__table__, CarriedSession.__table__, CarriedMessage.__table__)
    if len(_existing(connection, *tables)) < len(tables):
        return None
    runs, sessions, messages = tables
    count, last = connection.execute(sa.select(sa.func.count(), sa.func.max(runs.c.began_at))).one()
    if not count:
        return None

    def held(table: Any) -> tuple[int, int]:
        found = sa.func.count().filter(table.c.earlier_release)
        carried, earlier = connection.execute(sa.select(sa.func.count(), found)).one()
        return carried, earlier

    (carried_sessions, found_sessions), (carried_messages, found_messages) = (
        held(sessions), held(messages)
    )  # fmt: skip
    return Record(count, last, carried_sessions, carried_messages, found_sessions + found_messages)


def verify(connection: sa.Connection, legacy_schema: str, suffix: str = "") -> Verification:
    """Everything, read on ``connection``, the legacy tables from ``legacy_schema``."""
    legacy_session, legacy_message = legacy_tables(legacy_schema, suffix)
    archive = _existing(connection, ChatSessionArchive.__table__, ChatMessageArchive.__table__)
    record = read_record(connection)
    sources = Sources(archive=len(archive) == 2, record=record is not None,
                      snapshot=record is not None and snapshot_recorded(connection))  # fmt: skip
    sessions = session_status(legacy_session, sources)
    by_session, sessions_arrived = _tally(connection, sessions)
    by_message, messages_arrived = _tally(
        connection, message_status(legacy_session, legacy_message, sessions, sources)
    )
    groups = {
        by: [
            Group(
                name,
                by_session[by].get(name, StatusCounts()).counts(),
                by_message[by].get(name, StatusCounts()).counts(),
            )
            for name in sorted(set(by_session[by]) | set(by_message[by]))
        ]
        for by in ("agent", "source")
    }
    message_totals = by_message["all"].get("all", StatusCounts())
    return Verification(
        legacy_tables=[f"{t.schema}.{t.name}" for t in (legacy_session, legacy_message)],
        archive_tables=archive if sources.archive else [],
        record=record,
        sessions=by_session["all"].get("all", StatusCounts()).counts(),
        messages=message_totals.counts(),
        not_placeable={r: message_totals[r] for r in NOT_PLACEABLE if message_totals[r]},
        by_agent=groups["agent"],
        by_source=groups["source"],
        arrived_sessions=sessions_arrived,
        arrived_messages=messages_arrived,
    )


class TablesNotThereError(Exception):
    """A table the report reads does not exist yet; the message names them all."""


def check_tables(connection: sa.Connection, legacy_schema: str, suffix: str = "") -> None:
    engine_tables = [f"{ENGINE_SCHEMA}.{m.__tablename__}" for m in (ChatSession, ChatMessage)]
    legacy_tables = [f"{legacy_schema}.{name}{suffix}"
                     for name in ("agent_sessions", "session_messages")]  # fmt: skip
    absent = [n for n in [*legacy_tables, *engine_tables]
              if connection.scalar(sa.select(sa.func.to_regclass(n))) is None]  # fmt: skip
    if not absent:
        return
    remedy = (
        "run alembic upgrade head first"
        if set(absent) & set(engine_tables)
        else "name the schema they are in with --legacy-schema NAME"
    )
    raise TablesNotThereError(f"not there yet: {', '.join(absent)}; {remedy}")


def legacy_schema_of(connection: sa.Connection, schema: str | None) -> str:
    """``schema`` if named, else where the migration would find the legacy tables."""
    return schema or find_legacy_schema(connection)


def legacy_tables(schema: str, suffix: str = "") -> tuple[sa.Table, sa.Table]:
    """The legacy models' tables, as they stand in ``schema`` (named with ``suffix`` once
    retired: ``agent_sessions_archived``)."""
    copies = sa.MetaData()
    session, message = (
        model.__table__.to_metadata(copies, schema=schema,  # type: ignore[attr-defined]
                                    name=f"{model.__tablename__}{suffix}")
        for model in (LegacySession, LegacyMessage)
    )  # fmt: skip
    return session, message
