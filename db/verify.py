"""``python -m db.verify``: did every legacy session and message reach the engine's tables?

Compares ``public.agent_sessions`` / ``public.session_messages`` with
``aria_engine.chat_sessions`` / ``aria_engine.chat_messages`` in one read-only transaction
and prints what was migrated, what is missing, what clashes, and what could never be
placed (by reason), overall, by agent and by source; ``--json`` for pipelines. Exit
status: 0 when nothing that could be migrated is missing, 1 when something is, 2 when the
check could not run.

Placement follows the S8-06 mapping, restated here from the README rather than imported
from the revision, so that the check does not share the code it checks: a message belongs
to its ``session_id``, else to the legacy session whose ``openclaw_session_id`` or
``external_session_id`` equals its ``external_session_id`` (latest ``started_at``, then
greater id). It cannot be placed without such a session, or when that session's id is held
by an engine row the migration did not make (a clash).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from db.chat import ChatMessage, ChatSession
from db.connection import DatabaseURLError, database_url, describe, migration_engine, one_line
from db.legacy import LegacyMessage, LegacySession

MIGRATED_SESSION, MIGRATED_MESSAGE = "agent_sessions", "session_messages"
NOT_PLACEABLE = ("no session reference", "unknown session id", "unknown external id",
                 "session id clash")  # fmt: skip


@dataclass
class Counts:
    legacy: int = 0
    migrated: int = 0
    missing: int = 0
    not_migrated: int = 0  # clashing sessions; messages that cannot be placed


@dataclass
class Group:
    name: str
    sessions: Counts = field(default_factory=Counts)
    messages: Counts = field(default_factory=Counts)


@dataclass
class Verification:
    sessions: Counts
    messages: Counts
    not_placeable: dict[str, int]
    by_agent: list[Group]
    by_source: list[Group]

    @property
    def complete(self) -> bool:
        return self.sessions.missing == 0 and self.messages.missing == 0


def _key(column: sa.ColumnElement[Any], key: str) -> sa.ColumnElement[Any]:
    return column.op("->>", return_type=sa.Text)(sa.literal(key))


def session_status() -> sa.Subquery:
    """Each legacy session: its agent and source as migrated, and migrated / clash / missing."""
    s, e = LegacySession.__table__, ChatSession.__table__
    status = sa.case(
        (e.c.id.is_(None), "missing"),
        (_key(e.c.metadata, "migrated_from") == MIGRATED_SESSION, "migrated"),
        else_="not_migrated",
    )
    blank = sa.func.coalesce(s.c.agent_id, "").regexp_match("^[[:space:]]*$")
    agent = sa.case((blank, "main"), else_=s.c.agent_id)
    source = sa.func.coalesce(_key(s.c.metadata, "source"), "unknown")
    return (
        sa.select(s.c.id, agent.label("agent"), source.label("source"), status.label("status"))
        .outerjoin_from(s, e, e.c.id == s.c.id)
        .subquery("session_status")
    )


def message_status(sessions: sa.Subquery) -> sa.Subquery:
    """Each legacy message: the session it belongs to, and migrated / missing / a reason."""
    m, s, e = LegacyMessage.__table__, LegacySession.__table__, ChatMessage.__table__
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
        (e.c.id.is_not(None), "migrated"),
        (owner.c.status == "not_migrated", "session id clash"),
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
        )
        .select_from(
            m.outerjoin(direct, direct.c.id == m.c.session_id)
            .outerjoin(
                by_external_id,
                sa.and_(
                    m.c.session_id.is_(None),
                    by_external_id.c.external_id == m.c.external_session_id,
                ),
            )
            .outerjoin(owner, owner.c.id == sa.func.coalesce(direct.c.id, by_external_id.c.id))
            .outerjoin(
                e,
                sa.and_(e.c.id == m.c.id, _key(e.c.metadata, "migrated_from") == MIGRATED_MESSAGE),
            )
        )
        .subquery("message_status")
    )


class StatusCounts(dict[str, int]):
    """{status: rows}; a status never seen counts 0."""

    def __missing__(self, key: str) -> int:
        return 0

    def counts(self) -> Counts:
        not_migrated = self["not_migrated"] + sum(self[reason] for reason in NOT_PLACEABLE)
        return Counts(sum(self.values()), self["migrated"], self["missing"], not_migrated)


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


def verify(connection: sa.Connection) -> Verification:
    sessions = session_status()
    by_session = _tally(connection, sessions)
    by_message = _tally(connection, message_status(sessions))
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
        sessions=by_session["all"].get("all", StatusCounts()).counts(),
        messages=message_totals.counts(),
        not_placeable={r: message_totals[r] for r in NOT_PLACEABLE if message_totals[r]},
        by_agent=groups["agent"],
        by_source=groups["source"],
    )


def render(result: Verification, where: str) -> str:
    def line(name: str, c: Counts) -> str:
        return (f"{name:<16} {c.legacy:>10,} {c.migrated:>10,} {c.missing:>10,} "
                f"{c.not_migrated:>14,}")  # fmt: skip

    header = f"{'':<16} {'legacy':>10} {'migrated':>10} {'missing':>10} {'not migrated':>14}"
    out = [f"S8-06 verification of {where}", "", header,
           line("sessions", result.sessions), line("messages", result.messages)]  # fmt: skip
    if result.sessions.not_migrated:
        out.append(f"  sessions not migrated: {result.sessions.not_migrated} id clash(es)")
    for reason, count in result.not_placeable.items():
        out.append(f"  messages not placeable ({reason}): {count:,}")
    for title, groups in (("agent", result.by_agent), ("source", result.by_source)):
        out += ["", f"by {title:<13} {'sessions':>10} {'migrated':>10} {'missing':>10} "
                    f"{'messages':>14} {'migrated':>10} {'missing':>10}"]  # fmt: skip
        for g in groups:
            out.append(
                f"{g.name[:16]:<16} {g.sessions.legacy:>10,} {g.sessions.migrated:>10,} "
                f"{g.sessions.missing:>10,} {g.messages.legacy:>14,} {g.messages.migrated:>10,} "
                f"{g.messages.missing:>10,}"
            )
    verdict = (
        "COMPLETE: nothing that could be migrated is missing"
        if result.complete
        else f"INCOMPLETE: {result.sessions.missing:,} session(s) and "
        f"{result.messages.missing:,} message(s) that could be migrated are missing"
    )
    return "\n".join([*out, "", verdict])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m db.verify", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    try:
        url = database_url()
        engine = migration_engine(url)
        with engine.connect() as connection:
            connection.execute(sa.text("SET TRANSACTION READ ONLY"))
            result = verify(connection)
            connection.rollback()
        engine.dispose()
    except DatabaseURLError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except sa.exc.DBAPIError as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({**asdict(result), "complete": result.complete}, indent=2))
    else:
        print(render(result, describe(url)))
    return 0 if result.complete else 1


if __name__ == "__main__":
    sys.exit(main())
