"""0007 (S8-06): the mapping, placement, idempotency, clashes and the proof (what it sends:
``test_0007_offline_sql.py``).

Data tests read "migrate up to 0002, insert legacy rows, migrate one, assert".
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tests.support.commands import (
    BEFORE_HISTORY,
    alembic,
)
from tests.support.history import (
    engine_messages,
    engine_sessions,
    legacy_message,
    legacy_session,
    migrate,
    seed,
)
from tests.support.snapshots import all_rows, version

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_sessions_follow_the_mapping(alembic_cfg: Config, db: sa.Connection) -> None:
    full = legacy_session(
        agent_id="research",
        session_type="cron",
        started_at=T0,
        ended_at=T0 + timedelta(hours=1),
        messages_count=7,
        tokens_used=1234,
        cost_usd=Decimal("0.012345"),
        status="active",
        metadata={
            "source": "openclaw_live",
            "model": "claude-x",
            "openclaw_session": {"label": "L" * 600, "model": "ignored-when-top-level-set"},
        },
    )
    nested_model = legacy_session(metadata={"openclaw_session": {"model": "m" * 300}})
    bare = legacy_session(agent_id="  ", session_type=None, metadata={})
    seed(db, sessions=[full, nested_model, bare])
    migrate(alembic_cfg, db)

    got = engine_sessions(db)
    s = got[full["id"]]
    assert (s.agent_id, s.session_type, s.status) == ("research", "cron", "ended")
    assert s.title == "L" * 500
    assert s.model == "claude-x"
    assert (s.total_tokens, s.total_cost) == (1234, Decimal("0.012345"))
    assert (s.created_at, s.updated_at, s.ended_at) == (
        T0,
        T0 + timedelta(hours=1),
        full["ended_at"],
    )
    envelope = s.metadata
    migration_date = envelope.pop("migration_date")
    assert envelope == {
        "migrated_from": "agent_sessions",
        "source": "openclaw_live",
        "original_type": "cron",
        "original_status": "active",
        "original_metadata": full["metadata"],
        "original_messages_count": 7,
        "original_tokens_used": 1234,
        "original_cost_usd": 0.012345,
        "title_source": "openclaw_session.label",
    }
    assert datetime.fromisoformat(migration_date) > T0

    assert got[nested_model["id"]].model == "m" * 200
    b = got[bare["id"]]
    assert (b.agent_id, b.session_type, b.title, b.model) == ("main", "interactive", None, None)
    assert b.metadata["source"] == "unknown"
    assert b.metadata["original_type"] is None


@pytest.mark.parametrize(
    ("metadata", "envelope_has", "original"),
    [
        pytest.param(sa.null(), False, None, id="sql-null"),
        pytest.param(None, True, None, id="json-null"),
        pytest.param([1, "two"], True, [1, "two"], id="array"),
        pytest.param("just text", True, "just text", id="scalar-string"),
        pytest.param(42, True, 42, id="scalar-number"),
    ],
)
def test_odd_metadata_is_kept_exactly(
    alembic_cfg: Config, db: sa.Connection, metadata, envelope_has, original
) -> None:
    session = legacy_session(metadata=metadata)
    message = legacy_message(session_id=session["id"], metadata=metadata)
    seed(db, sessions=[session], messages=[message])
    migrate(alembic_cfg, db)

    for row in (engine_sessions(db)[session["id"]], engine_messages(db)[message["id"]]):
        assert ("original_metadata" in row.metadata) is envelope_has
        assert row.metadata.get("original_metadata") == original


def test_times_come_from_what_is_known_never_the_migration_clock(
    alembic_cfg: Config, db: sa.Connection
) -> None:
    started = legacy_session(started_at=T0, ended_at=None)
    from_messages = legacy_session(started_at=None, ended_at=None)
    from_end = legacy_session(started_at=None, ended_at=T0)
    end_before_start = legacy_session(started_at=T0, ended_at=T0 - timedelta(days=1))
    nothing = legacy_session(started_at=None, ended_at=None)
    messages = [
        legacy_message(session_id=from_messages["id"], created_at=T0 + timedelta(minutes=5)),
        legacy_message(session_id=from_messages["id"], created_at=T0 + timedelta(minutes=9)),
        legacy_message(session_id=started["id"], created_at=T0 + timedelta(days=2)),
        legacy_message(session_id=started["id"], created_at=None),
    ]
    seed(db, sessions=[started, from_messages, from_end, end_before_start, nothing],
         messages=messages)  # fmt: skip
    migrate(alembic_cfg, db)

    got = engine_sessions(db)
    assert (got[started["id"]].created_at, got[started["id"]].updated_at) == (
        T0, T0 + timedelta(days=2),
    )  # fmt: skip
    assert (got[from_messages["id"]].created_at, got[from_messages["id"]].updated_at) == (
        T0 + timedelta(minutes=5), T0 + timedelta(minutes=9),
    )  # fmt: skip
    assert got[from_end["id"]].created_at == got[from_end["id"]].updated_at == T0
    assert got[end_before_start["id"]].created_at == T0
    assert got[end_before_start["id"]].updated_at == T0
    assert got[end_before_start["id"]].ended_at == T0 - timedelta(days=1)
    assert got[nothing["id"]].created_at == got[nothing["id"]].updated_at  # transaction time
    assert got[started["id"]].message_count == 2
    undated = engine_messages(db)[messages[3]["id"]]
    assert undated.created_at == T0  # the session's created_at


def test_messages_are_placed_directly_or_by_either_external_key(
    alembic_cfg: Config, db: sa.Connection
) -> None:
    direct = legacy_session(metadata={"openclaw_session_id": "oc-direct"})
    by_openclaw = legacy_session(metadata={"openclaw_session_id": "oc-7"})
    by_external = legacy_session(metadata={"external_session_id": "ext-9"})
    messages = {
        "direct": legacy_message(session_id=direct["id"], external_session_id="ext-9"),
        "openclaw": legacy_message(external_session_id="oc-7"),
        "external": legacy_message(external_session_id="ext-9"),
        "unknown": legacy_message(external_session_id="nobody"),
        "no reference": legacy_message(),
    }
    seed(db, sessions=[direct, by_openclaw, by_external], messages=list(messages.values()))
    migrate(alembic_cfg, db)

    placed = {mid: row.session_id for mid, row in engine_messages(db).items()}
    assert placed == {
        messages["direct"]["id"]: direct["id"],
        messages["openclaw"]["id"]: by_openclaw["id"],
        messages["external"]["id"]: by_external["id"],
    }
    counts = {sid: row.message_count for sid, row in engine_sessions(db).items()}
    assert counts == {direct["id"]: 1, by_openclaw["id"]: 1, by_external["id"]: 1}


def test_a_shared_external_id_goes_to_the_latest_session_then_the_greater_id(
    alembic_cfg: Config, db: sa.Connection
) -> None:
    low, high = sorted([uuid.uuid4(), uuid.uuid4()])
    older = legacy_session(started_at=T0, metadata={"openclaw_session_id": "shared"})
    tie_low = legacy_session(id=low, started_at=T0 + timedelta(days=1),
                             metadata={"external_session_id": "shared"})  # fmt: skip
    tie_high = legacy_session(id=high, started_at=T0 + timedelta(days=1),
                              metadata={"openclaw_session_id": "shared"})  # fmt: skip
    undated = legacy_session(started_at=None, metadata={"openclaw_session_id": "shared"})
    message = legacy_message(external_session_id="shared")
    seed(db, sessions=[older, tie_low, tie_high, undated], messages=[message])
    migrate(alembic_cfg, db)

    assert engine_messages(db)[message["id"]].session_id == high


def test_message_content_and_envelope(alembic_cfg: Config, db: sa.Connection) -> None:
    session = legacy_session()
    tricky = (
        "naïve 😀 \u202e 'quoted' \"double\" :name %(x)s %% \\ \t\n\r ${x} $$ ; DROP TABLE x;--"
    )
    message = legacy_message(
        session_id=session["id"],
        role="assistant",
        content=tricky,
        external_session_id="oc-1",
        source_channel="telegram",
        agent_id="agent 'x'",
        created_at=T0,
        metadata={"k": [1, {"n": None}]},
    )
    big = legacy_message(session_id=session["id"], content="x" * (5 * 1024 * 1024))
    seed(db, sessions=[session], messages=[message, big])
    migrate(alembic_cfg, db)

    got = engine_messages(db)
    m = got[message["id"]]
    assert (m.role, m.content, m.created_at, m.session_id) == (
        "assistant", tricky, T0, session["id"],
    )  # fmt: skip
    assert m.metadata == {
        "migrated_from": "session_messages",
        "original_metadata": {"k": [1, {"n": None}]},
        "external_session_id": "oc-1",
        "content_hash": message["content_hash"],
        "source_channel": "telegram",
        "agent_id": "agent 'x'",
    }
    assert got[big["id"]].content == big["content"]


def test_rerun_changes_nothing_and_picks_up_late_rows(
    alembic_cfg: Config, db: sa.Connection, engine: sa.Engine
) -> None:
    session = legacy_session(started_at=T0)
    seed(db, sessions=[session], messages=[legacy_message(session_id=session["id"])])
    migrate(alembic_cfg, db)
    first = all_rows(engine)

    command.downgrade(alembic_cfg, "-1")
    command.upgrade(alembic_cfg, "head")
    assert all_rows(engine) == first

    late_session = legacy_session(started_at=T0)
    late = legacy_message(session_id=late_session["id"])
    seed(db, sessions=[late_session], messages=[late])
    db.commit()
    command.downgrade(alembic_cfg, "-1")
    command.upgrade(alembic_cfg, "head")
    after = all_rows(engine)
    assert set(first["aria_engine.chat_sessions"]) < set(after["aria_engine.chat_sessions"])
    assert engine_messages(db)[late["id"]].session_id == late_session["id"]


def test_a_clash_is_left_alone_and_named(db: sa.Connection, database_url: sa.URL) -> None:
    clash = legacy_session(agent_id="legacy")
    db.execute(
        sa.text(
            "INSERT INTO aria_engine.chat_sessions (id, agent_id, title) "
            "VALUES (:id, 'native', 'a live engine chat')"
        ),
        {"id": clash["id"]},
    )
    stray = legacy_message(session_id=clash["id"])
    seed(db, sessions=[clash, legacy_session()], messages=[stray])
    db.commit()
    log = alembic("upgrade", "head", database_url=database_url).stderr

    native = engine_sessions(db)[clash["id"]]
    assert (native.agent_id, native.title, native.metadata) == ("native", "a live engine chat", {})
    assert stray["id"] not in engine_messages(db)
    assert (
        "2 legacy, 0 into chat_sessions, 1 into chat_sessions_archive, 0 already carried, 1 clashes"
    ) in log
    assert str(clash["id"]) in log
    assert "messages not placed (session id clash): 1" in log


def test_the_self_check_rolls_everything_back(
    alembic_cfg: Config, db: sa.Connection, engine: sa.Engine
) -> None:
    session = legacy_session()
    seed(db, sessions=[session], messages=[legacy_message(session_id=session["id"])])
    # A trigger that silently swallows inserts: the INSERT succeeds, the row never lands.
    db.execute(sa.text(
        "CREATE FUNCTION public.swallow() RETURNS trigger LANGUAGE plpgsql "
        "AS 'BEGIN RETURN NULL; END';"
        "CREATE TRIGGER swallow BEFORE INSERT ON aria_engine.chat_messages "
        "FOR EACH ROW EXECUTE FUNCTION public.swallow()"
    ))  # fmt: skip
    db.commit()

    with pytest.raises(Exception, match=r"S8-06 verification failed: 0 legacy session\(s\) and 1"):
        command.upgrade(alembic_cfg, "head")
    assert version(engine) == [BEFORE_HISTORY]
    assert engine_sessions(db) == {}
