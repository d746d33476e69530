"""S8-06 invariants over generated legacy rows of every awkward shape (hypothesis).

Each example runs the revision's statements inside a transaction that is rolled back, on a
database at the S1-01 schema. Placement is checked against an oracle written here in Python.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.commands import BEFORE_HISTORY
from tests.support.history import engine_messages, engine_sessions, revision_module, seed

STATEMENTS = revision_module().build_migration_statements()
DANGLING = uuid.UUID("00000000-0000-4000-8000-00000000dead")
# The mapping, restated rather than read from the revision; anything else: interactive.
ENGINE_TYPE = {
    "openclaw_cron": "cron", "openclaw_heartbeat": "cron", "openclaw_subagent": "subagent",
    "openclaw_run": "subagent", "skill_exec": "subagent", "openclaw": "interactive",
    "openclaw_main": "interactive",
    **{t: t for t in ("chat", "interactive", "roundtable", "cron", "swarm", "subagent", "scoped")},
}  # fmt: skip
KEYS = ["oc-a", "oc-b", "ext-c", "", "😀 'k'"]

# PostgreSQL text holds any character but NUL; surrogates cannot be encoded at all.
chars = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
text = st.text(alphabet=chars, max_size=40)
json_scalar = st.none() | st.booleans() | st.integers() | text
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
moments = st.none() | st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2026, 1, 1), timezones=st.just(UTC)
)
openclaw_metadata = st.fixed_dictionaries(
    {"openclaw_session_id": st.sampled_from(KEYS)},
    optional={
        "external_session_id": st.sampled_from(KEYS),
        "model": st.text(alphabet=chars, max_size=260),
        "source": text,
        "openclaw_session": st.one_of(
            json_value,
            st.fixed_dictionaries(
                {}, optional={"label": st.text(alphabet=chars, max_size=620), "model": text}
            ),
        ),
    },
)
# Mostly OpenClaw-shaped, so that external ids collide often; the rest anything at all.
session_metadata = st.one_of(openclaw_metadata, openclaw_metadata, st.just(sa.null()), json_value)


@st.composite
def legacy_history(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sessions = [
        {
            "id": draw(st.uuids()),
            "agent_id": draw(st.sampled_from(["", "   ", "main", "x'; DROP TABLE y;--", "🤖"])
                             | st.text(alphabet=chars, max_size=100)),
            "session_type": draw(st.none() | st.sampled_from(sorted(ENGINE_TYPE))
                                 | st.text(alphabet=chars, max_size=50)),
            "started_at": draw(moments),
            "ended_at": draw(moments),
            "status": draw(st.none() | st.text(alphabet=chars, max_size=50)),
            "tokens_used": draw(st.none() | st.integers(0, 2**31 - 1)),
            "metadata": draw(session_metadata),
        }
        for _ in range(draw(st.integers(0, 6)))
    ]  # fmt: skip
    ids = [s["id"] for s in sessions]
    messages = []
    for n in range(draw(st.integers(0, 10))):
        messages.append({
            "id": draw(st.uuids()),
            # A dangling id too: production's init scripts did not always make the foreign key.
            "session_id": draw(st.sampled_from([None, None, *ids, DANGLING])),
            "external_session_id": draw(st.none() | st.sampled_from([*KEYS, "unknown"])),
            "role": draw(st.text(alphabet=chars, min_size=1, max_size=20)),
            "content": draw(st.text(alphabet=chars, max_size=200)),
            "content_hash": f"hash-{n}",
            "created_at": draw(moments),
            "metadata": draw(st.just(sa.null()) | json_value),
        })  # fmt: skip
    return _unique_ids(sessions), _unique_ids(messages)


def _unique_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[uuid.UUID] = set()
    return [r for r in rows if not (r["id"] in seen or seen.add(r["id"]))]


def expected_session(message: dict[str, Any], sessions: list[dict[str, Any]]) -> uuid.UUID | None:
    """The oracle: direct reference (if it names a session), else the latest session naming
    the external id."""
    if message["session_id"] is not None:
        known = any(s["id"] == message["session_id"] for s in sessions)
        return message["session_id"] if known else None
    key = message["external_session_id"]
    if key is None:
        return None
    named = [
        s for s in sessions
        if isinstance(s["metadata"], dict)
        and key in (s["metadata"].get(k) for k in ("openclaw_session_id", "external_session_id"))
    ]  # fmt: skip
    if not named:
        return None
    far_past = datetime(1900, 1, 1, tzinfo=UTC)
    return max(named, key=lambda s: (s["started_at"] or far_past - timedelta(1), s["id"]))["id"]


def name(document: Any, *path: str) -> str | None:
    """The oracle for names: the value at path if it is a JSON string, else None."""
    for key in path:
        document = document.get(key) if isinstance(document, dict) else None
    return document if isinstance(document, str) else None


def fits(value: str | None, width: int) -> str | None:
    blank = value is None or re.fullmatch(r"[ \t\n\r\f\v]*", value)
    return None if blank else value[:width]


def original(value: Any) -> Any:
    return "absent" if isinstance(value, sa.sql.elements.Null) else value


@pytest.fixture
def at_engine_schema(alembic_cfg: Config, engine: sa.Engine) -> sa.Engine:
    command.upgrade(alembic_cfg, BEFORE_HISTORY)
    with engine.begin() as connection:  # so that a message may name a session that is not
        connection.execute(sa.text(
            "ALTER TABLE public.session_messages DROP CONSTRAINT session_messages_session_id_fkey"
        ))  # fmt: skip
    return engine


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=legacy_history())
def test_every_session_and_placeable_message_arrives_intact(
    at_engine_schema: sa.Engine, history: tuple[list[dict[str, Any]], list[dict[str, Any]]]
) -> None:
    sessions, messages = history
    with at_engine_schema.connect() as connection, connection.begin() as transaction:
        seed(connection, sessions=sessions, messages=messages)
        for statement in STATEMENTS:
            connection.execute(statement)
        got_sessions, got_messages = engine_sessions(connection), engine_messages(connection)
        transaction.rollback()

    assert set(got_sessions) == {s["id"] for s in sessions}
    for s in sessions:
        row = got_sessions[s["id"]]
        assert row.metadata.get("original_metadata", "absent") == original(s["metadata"])
        assert row.status == "ended"
        blank = re.fullmatch(r"[ \t\n\r\f\v]*", s["agent_id"])
        assert row.agent_id == ("main" if blank else s["agent_id"])
        md = s["metadata"]
        assert row.title == fits(name(md, "openclaw_session", "label"), 500)
        model = name(md, "model")
        assert row.model == fits(model if model is not None else
                                 name(md, "openclaw_session", "model"), 200)  # fmt: skip
        source = name(md, "source")
        assert row.metadata["source"] == (source if source is not None else "unknown")
        assert row.session_type == ENGINE_TYPE.get(s["session_type"], "interactive")
        assert row.metadata["original_type"] == s["session_type"]
        assert row.updated_at >= row.created_at or s["started_at"] is None

    placed = {m["id"]: expected_session(m, sessions) for m in messages}
    assert {mid: row.session_id for mid, row in got_messages.items()} == {
        mid: sid for mid, sid in placed.items() if sid is not None
    }
    for m in messages:
        if placed[m["id"]] is not None:
            row = got_messages[m["id"]]
            assert (row.role, row.content) == (m["role"], m["content"])
            assert row.metadata.get("original_metadata", "absent") == original(m["metadata"])
    counts = {sid: row.message_count for sid, row in got_sessions.items()}
    for sid in counts:
        assert counts[sid] == sum(1 for target in placed.values() if target == sid)
