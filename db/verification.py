"""The verification report's check: did every legacy row reach the engine's tables?

Reads the legacy ``agent_sessions`` / ``session_messages`` (in ``public`` or ``aria_data``,
found as the migration finds them, or named) and ``aria_engine.chat_sessions`` /
``aria_engine.chat_messages`` (and the application's ``chat_sessions_archive`` /
``chat_messages_archive``, when they exist), and counts each legacy row as migrated,
archived, missing, or not migrated (a clash, or a message that could never be placed, by
reason), overall, by agent and by source. ``db/verify.py`` is the command that prints it.

Placement follows the S8-06 mapping, restated here from docs/mapping.md rather than
imported from the revision, so that the check does not share the code it checks: a message
belongs to its ``session_id``, else to the legacy session whose ``openclaw_session_id`` or
``external_session_id`` equals its ``external_session_id`` (latest ``started_at``, then
greater id). It cannot be placed without such a session, or when its own id or that
session's id is held by an engine row the migration did not make (a clash).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB

from db.chat import SCHEMA as ENGINE_SCHEMA
from db.chat import ChatMessage, ChatSession
from db.legacy import SCHEMA as MODELLED_SCHEMA
from db.legacy import LegacyMessage, LegacySession
from db.legacy_schema import find_legacy_schema

MIGRATED_SESSION, MIGRATED_MESSAGE = "agent_sessions", "session_messages"
NOT_PLACEABLE = ("no session reference", "unknown session id", "unknown external id",
                 "session id clash", "message id clash")  # fmt: skip
COMPLETE, INCOMPLETE, COULD_NOT_CHECK, NOTHING_TO_VERIFY = 0, 1, 2, 3

# Where the application moves old engine sessions and their messages (same ids, same
# metadata) before deleting them: a legacy row found there was migrated, then archived.
archived_sessions = sa.table(
    "chat_sessions_archive", sa.column("id", sa.Uuid), sa.column("metadata", JSONB),
    schema="aria_engine",
)  # fmt: skip
archived_messages = sa.table(
    "chat_messages_archive", sa.column("id", sa.Uuid), sa.column("metadata", JSONB),
    schema="aria_engine",
)  # fmt: skip


@dataclass
class Counts:
    legacy: int = 0
    migrated: int = 0
    archived: int = 0  # migrated, then moved to the application's archive tables
    missing: int = 0
    not_migrated: int = 0  # clashing sessions; messages that cannot be placed


@dataclass
class Group:
    name: str
    sessions: Counts = field(default_factory=Counts)
    messages: Counts = field(default_factory=Counts)


@dataclass
class Verification:
    legacy_tables: list[str]
    archive_tables: list[str]  # those that exist, and were read
    sessions: Counts
    messages: Counts
    not_placeable: dict[str, int]
    by_agent: list[Group]
    by_source: list[Group]

    @property
    def complete(self) -> bool:
        return self.sessions.missing == 0 and self.messages.missing == 0

    @property
    def nothing_to_verify(self) -> bool:
        return self.sessions.legacy == 0 and self.messages.legacy == 0

    @property
    def status(self) -> int:
        if self.nothing_to_verify:
            return NOTHING_TO_VERIFY
        return COMPLETE if self.complete else INCOMPLETE


def _key(column: sa.ColumnElement[Any], key: str) -> sa.ColumnElement[Any]:
    return column.op("->>", return_type=sa.Text)(sa.literal(key))


def _ours(table: Any, migrated_from: str) -> sa.ColumnElement[bool]:
    return _key(table.c.metadata, "migrated_from") == migrated_from


def session_status(archive: bool) -> sa.Subquery:
    """Each legacy session: its agent and source as migrated, and migrated / archived /
    clash (``not_migrated``) / missing."""
    s, e, a = LegacySession.__table__, ChatSession.__table__, archived_sessions
    rows = s.outerjoin(e, e.c.id == s.c.id)
    whens: list[tuple[sa.ColumnElement[bool], str]] = [
        (_ours(e, MIGRATED_SESSION), "migrated"),
        (e.c.id.is_not(None), "not_migrated"),
    ]
    if archive:
        rows = rows.outerjoin(a, a.c.id == s.c.id)
        # An archived row the migration did not make was a clash before it was archived.
        whens += [(_ours(a, MIGRATED_SESSION), "archived"), (a.c.id.is_not(None), "not_migrated")]
    status = sa.case(*whens, else_="missing")
    blank = sa.func.coalesce(s.c.agent_id, "").regexp_match("^[[:space:]]*$")
    agent = sa.case((blank, "main"), else_=s.c.agent_id)
    # Only a JSON string names a source; anything else there counts as none.
    named = sa.func.jsonb_typeof(s.c.metadata.op("->", return_type=JSONB)("source")) == "string"
    source = sa.func.coalesce(sa.case((named, _key(s.c.metadata, "source"))), "unknown")
    return (
        sa.select(s.c.id, agent.label("agent"), source.label("source"), status.label("status"))
        .select_from(rows)
        .subquery("session_status")
    )


def message_status(sessions: sa.Subquery, archive: bool) -> sa.Subquery:
    """Each legacy message: the session it belongs to, and migrated / archived / missing /
    the reason it could not be placed."""
    m, s, e = LegacyMessage.__table__, LegacySession.__table__, ChatMessage.__table__
    a = archived_messages
    keys = sa.func.unnest(
        postgresql.array(
            [_key(s.c.metadata, "openclaw_session_id"), _key(s.c.metadata, "external_session_id")]
        )
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
    status = sa.case(
        (_ours(e, MIGRATED_MESSAGE), "migrated"),
        # An engine message the migration did not make holds its id: left alone, not placed.
        (e.c.id.is_not(None), "message id clash"),
        *([(a.c.id.is_not(None), "archived")] if archive else []),
        (owner.c.status == "not_migrated", "session id clash"),
        (owner.c.id.is_not(None), "missing"),
        (m.c.session_id.is_not(None), "unknown session id"),
        (m.c.external_session_id.is_(None), "no session reference"),
        else_="unknown external id",
    )
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
        .outerjoin(e, e.c.id == m.c.id)
    )
    if archive:
        rows = rows.outerjoin(a, sa.and_(a.c.id == m.c.id, _ours(a, MIGRATED_MESSAGE)))
    return (
        sa.select(
            m.c.id,
            sa.func.coalesce(owner.c.agent, "(not placeable)").label("agent"),
            sa.func.coalesce(owner.c.source, "(not placeable)").label("source"),
            status.label("status"),
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
        return Counts(
            sum(self.values()), self["migrated"], self["archived"], self["missing"], not_migrated
        )


def _tally(connection: sa.Connection, rows: sa.Subquery) -> dict[str, dict[str, StatusCounts]]:
    """One pass over ``rows``: {"all" | "agent" | "source": {group: {status: count}}}."""
    tallies: dict[str, dict[str, StatusCounts]] = {"all": {}, "agent": {}, "source": {}}
    for agent, source, status, count in connection.execute(
        sa.select(rows.c.agent, rows.c.source, rows.c.status, sa.func.count()).group_by(
            rows.c.agent, rows.c.source, rows.c.status
        )
    ):
        for by, name in (("all", "all"), ("agent", agent), ("source", source)):
            group = tallies[by].setdefault(name, StatusCounts())
            group[status] += count
    return tallies


def _existing(connection: sa.Connection, *tables: sa.TableClause) -> list[str]:
    names = [f"{table.schema}.{table.name}" for table in tables]
    return [n for n in names if connection.scalar(sa.select(sa.func.to_regclass(n))) is not None]


def verify(connection: sa.Connection, legacy_schema: str) -> Verification:
    """Everything, read on ``connection`` (which reads the legacy models' tables from
    ``legacy_schema``: see ``read_legacy_from``)."""
    archive = _existing(connection, archived_sessions, archived_messages)
    read_archive = len(archive) == 2
    sessions = session_status(read_archive)
    by_session = _tally(connection, sessions)
    by_message = _tally(connection, message_status(sessions, read_archive))
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
        legacy_tables=[f"{legacy_schema}.{t}" for t in ("agent_sessions", "session_messages")],
        archive_tables=archive if read_archive else [],
        sessions=by_session["all"].get("all", StatusCounts()).counts(),
        messages=message_totals.counts(),
        not_placeable={r: message_totals[r] for r in NOT_PLACEABLE if message_totals[r]},
        by_agent=groups["agent"],
        by_source=groups["source"],
    )


class TablesNotThereError(Exception):
    """A table the report reads does not exist yet; the message names them all."""


def check_tables(connection: sa.Connection, legacy_schema: str) -> None:
    engine_tables = [f"{ENGINE_SCHEMA}.{m.__tablename__}" for m in (ChatSession, ChatMessage)]
    legacy_tables = [f"{legacy_schema}.{name}" for name in ("agent_sessions", "session_messages")]
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


def read_legacy_from(connection: sa.Connection, schema: str | None) -> tuple[sa.Connection, str]:
    """``connection``, reading the legacy models' tables from ``schema`` (or where the
    migration would find them), and that schema."""
    found = schema or find_legacy_schema(connection)
    return connection.execution_options(schema_translate_map={MODELLED_SCHEMA: found}), found
