"""0003 as the engine sees the result: its session types, history below live chats, names
only from JSON strings, message id clashes, late messages, and the edges a mutant hides in.

Data tests read "migrate up to 0002, insert legacy rows, migrate one, assert".
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tests.support.commands import (
    BEFORE_HISTORY,
    alembic,
    apply_with_psql,
    offline_sql,
    verify_report,
)
from tests.support.history import (
    engine_messages,
    engine_sessions,
    legacy_message,
    legacy_session,
    migrate,
    seed,
)
from tests.support.snapshots import version

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
LIVE = uuid.UUID("00000000-0000-4000-8000-00000000e001")


def native_chat(
    db: sa.Connection, session_id: uuid.UUID = LIVE, messages: tuple[uuid.UUID, ...] = ()
) -> None:
    """A chat the engine made itself, before the migration."""
    db.execute(
        sa.text("INSERT INTO aria_engine.chat_sessions (id, title) VALUES (:id, 'live chat')"),
        {"id": session_id},
    )
    for message_id in messages:
        db.execute(
            sa.text(
                "INSERT INTO aria_engine.chat_messages (id, session_id, role, content) "
                "VALUES (:id, :sid, 'user', 'typed in the engine')"
            ),
            {"id": message_id, "sid": session_id},
        )


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [("openclaw_cron", "cron"), ("openclaw_heartbeat", "cron"),
     ("openclaw_subagent", "subagent"), ("openclaw_run", "subagent"), ("skill_exec", "subagent"),
     ("openclaw", "interactive"), ("openclaw_main", "interactive"), (None, "interactive"),
     ("chat", "chat"), ("roundtable", "roundtable"), ("swarm", "swarm"), ("scoped", "scoped"),
     ("cron", "cron"), ("subagent", "subagent"), ("interactive", "interactive"),
     ("OpenClaw_Cron", "interactive"), ("webhook", "interactive"), ("", "interactive")],
)  # fmt: skip
def test_session_types_are_the_engines(
    alembic_cfg: Config, db: sa.Connection, legacy: str | None, expected: str
) -> None:
    session = legacy_session(session_type=legacy)
    seed(db, sessions=[session])
    migrate(alembic_cfg, db)

    row = engine_sessions(db)[session["id"]]
    assert row.session_type == expected
    assert row.metadata["original_type"] == legacy


def test_a_session_with_no_time_at_all_sorts_with_history(
    alembic_cfg: Config, db: sa.Connection
) -> None:
    native_chat(db)
    dated = legacy_session(started_at=T0 + timedelta(days=3))
    earliest = legacy_session(started_at=T0, ended_at=T0 + timedelta(days=9))
    timeless = legacy_session(started_at=None, ended_at=None)
    seed(db, sessions=[dated, earliest, timeless])
    migrate(alembic_cfg, db)

    got = engine_sessions(db)
    assert got[timeless["id"]].created_at == got[timeless["id"]].updated_at == T0
    assert got[timeless["id"]].updated_at < got[LIVE].updated_at


def test_with_no_start_anywhere_the_earliest_message_is_the_time(
    alembic_cfg: Config, db: sa.Connection
) -> None:
    timeless = legacy_session(started_at=None)
    other = legacy_session(started_at=None)
    seed(db, sessions=[timeless, other], messages=[
        legacy_message(session_id=other["id"], created_at=T0 + timedelta(hours=2)),
        legacy_message(external_session_id="nobody", created_at=T0),
    ])  # fmt: skip
    migrate(alembic_cfg, db)

    got = engine_sessions(db)
    assert got[timeless["id"]].created_at == T0
    assert got[other["id"]].created_at == T0 + timedelta(hours=2)


def test_with_no_time_in_the_legacy_data_history_sorts_at_the_epoch(
    alembic_cfg: Config, db: sa.Connection
) -> None:
    timeless = legacy_session(started_at=None)
    seed(db, sessions=[timeless])
    migrate(alembic_cfg, db)
    assert engine_sessions(db)[timeless["id"]].created_at == datetime(1970, 1, 1, tzinfo=UTC)


def test_a_session_with_an_end_and_messages_but_no_start_began_with_its_first_message(
    alembic_cfg: Config, db: sa.Connection
) -> None:
    session = legacy_session(started_at=None, ended_at=T0 + timedelta(days=1))
    seed(db, sessions=[session], messages=[
        legacy_message(session_id=session["id"], created_at=T0 + timedelta(hours=5)),
        legacy_message(session_id=session["id"], created_at=T0 + timedelta(hours=2)),
    ])  # fmt: skip
    migrate(alembic_cfg, db)

    row = engine_sessions(db)[session["id"]]
    assert (row.created_at, row.updated_at) == (T0 + timedelta(hours=2), T0 + timedelta(days=1))


@pytest.mark.parametrize(
    "odd", [{"k": "v"}, ["a"], 42, 4.5, True, None], ids=["object", "array", "number", "float",
                                                          "boolean", "null"],
)  # fmt: skip
def test_only_a_json_string_is_a_name(alembic_cfg: Config, db: sa.Connection, odd: object) -> None:
    fallback = legacy_session(metadata={
        "model": odd, "source": odd, "openclaw_session": {"label": odd, "model": "nested-model"},
    })  # fmt: skip
    seed(db, sessions=[fallback])
    migrate(alembic_cfg, db)

    row = engine_sessions(db)[fallback["id"]]
    assert (row.title, row.model, row.metadata["source"]) == (None, "nested-model", "unknown")


def test_a_message_id_clash_is_left_alone_and_counted(
    db: sa.Connection, database_url: sa.URL
) -> None:
    session = legacy_session()
    clashing, fine = (
        legacy_message(session_id=session["id"]),
        legacy_message(session_id=session["id"]),
    )
    native_chat(db, messages=(clashing["id"],))
    seed(db, sessions=[session], messages=[clashing, fine])
    db.commit()
    log = alembic("upgrade", "head", database_url=database_url).stderr

    native = engine_messages(db)[clashing["id"]]
    assert (native.session_id, native.content, native.metadata) == (LIVE, "typed in the engine",
                                                                    {})  # fmt: skip
    assert engine_sessions(db)[session["id"]].message_count == 1
    assert (
        "S8-06 messages: 2 legacy, 1 into chat_messages, 0 into chat_messages_archive, "
        "0 already carried, 1 not placed"
    ) in log
    assert "S8-06 messages not placed (message id clash): 1" in log
    assert str(clashing["id"]) in log


def test_a_message_whose_own_id_and_whose_sessions_id_are_both_taken_is_a_message_id_clash(
    db: sa.Connection, database_url: sa.URL
) -> None:
    """Its own id decides first: the log and aria-verify name the same reason."""
    session = legacy_session()
    clashing = legacy_message(session_id=session["id"])
    native_chat(db, session_id=session["id"], messages=(clashing["id"],))
    seed(db, sessions=[session], messages=[clashing])
    db.commit()
    log = alembic("upgrade", "head", database_url=database_url).stderr

    assert engine_messages(db)[clashing["id"]].content == "typed in the engine"
    assert "S8-06 messages not placed (message id clash): 1" in log
    assert "not placed (session id clash)" not in log
    status, got = verify_report(database_url)
    assert status == 0
    assert got["not_placeable"] == {"message_id_clash": 1}
    assert (got["sessions"]["not_migrated"], got["messages"]["not_migrated"]) == (1, 1)


def test_a_dangling_session_id_stays_unplaced_even_when_its_external_id_names_a_session(
    db: sa.Connection, database_url: sa.URL
) -> None:
    # Production's init scripts did not always make the foreign key.
    db.execute(sa.text(
        "ALTER TABLE public.session_messages DROP CONSTRAINT session_messages_session_id_fkey"
    ))  # fmt: skip
    named = legacy_session(metadata={"openclaw_session_id": "oc-1"})
    dangling = legacy_message(session_id=uuid.uuid4(), external_session_id="oc-1")
    seed(db, sessions=[named], messages=[dangling])
    db.commit()
    log = alembic("upgrade", "head", database_url=database_url).stderr

    assert dangling["id"] not in engine_messages(db)
    assert "S8-06 messages not placed (unknown session id): 1" in log


def test_the_self_check_fails_on_a_missing_session(
    alembic_cfg: Config, db: sa.Connection, engine: sa.Engine
) -> None:
    lost, kept = legacy_session(), legacy_session()  # no message: they go to the archive
    seed(db, sessions=[lost, kept])
    # A trigger that silently swallows one session: its INSERT succeeds, the row never lands.
    db.execute(sa.text(
        "CREATE FUNCTION public.swallow() RETURNS trigger LANGUAGE plpgsql AS "
        f"'BEGIN IF NEW.id = ''{lost['id']}'' THEN RETURN NULL; END IF; RETURN NEW; END';"
        "CREATE TRIGGER swallow BEFORE INSERT ON aria_engine.chat_sessions_archive "
        "FOR EACH ROW EXECUTE FUNCTION public.swallow()"
    ))  # fmt: skip
    db.commit()

    with pytest.raises(Exception, match=r"S8-06 verification failed: 1 legacy session\(s\) and 0"):
        command.upgrade(alembic_cfg, "head")
    assert version(engine) == [BEFORE_HISTORY]


RUNS: dict[str, tuple[str, ...]] = {"online": (), "offline": (), "batched": ("-x", "batch_size=2")}


@pytest.mark.parametrize("run", sorted(RUNS))
def test_late_messages_bring_their_session_up_to_date(
    db: sa.Connection, database_url: sa.URL, run: str
) -> None:
    session = legacy_session(started_at=T0, ended_at=T0 + timedelta(hours=1))
    recent = legacy_session(started_at=T0, ended_at=T0 + timedelta(days=30))
    clash = legacy_session()
    native_chat(db, session_id=clash["id"])
    seed(db, sessions=[session, recent, clash, legacy_session(), legacy_session()],
         messages=[legacy_message(session_id=session["id"], created_at=T0)])  # fmt: skip
    db.commit()

    def upgrade() -> str:
        """From 0002 on: the CLI (batched or not), or the printed script through psql."""
        if run == "offline":
            return apply_with_psql(database_url, offline_sql(f"{BEFORE_HISTORY}:head")).stderr
        return alembic(*RUNS[run], "upgrade", "head", database_url=database_url).stderr

    upgrade()
    before = engine_sessions(db)

    seed(db, messages=[
        legacy_message(session_id=session["id"], created_at=T0 + timedelta(days=2)),
        legacy_message(session_id=session["id"], created_at=T0 - timedelta(days=2)),
        legacy_message(session_id=clash["id"], created_at=T0 + timedelta(days=5)),
        legacy_message(session_id=recent["id"], created_at=T0 + timedelta(days=1)),
    ])  # fmt: skip
    db.commit()
    alembic("downgrade", "-1", database_url=database_url)
    log = upgrade()

    after = engine_sessions(db)
    assert after[session["id"]].message_count == before[session["id"]].message_count + 2 == 3
    assert after[session["id"]].updated_at == T0 + timedelta(days=2)
    assert after[clash["id"]] == before[clash["id"]]  # never touched
    # updated_at never goes back: this session's late message is older than its end.
    assert after[recent["id"]].message_count == 1
    assert after[recent["id"]].updated_at == T0 + timedelta(days=30)
    if run != "offline":
        assert "S8-06 sessions brought up to date with late messages: 2" in log
    # And once more: nothing is counted twice.
    alembic("downgrade", "-1", database_url=database_url)
    upgrade()
    assert engine_sessions(db) == after
