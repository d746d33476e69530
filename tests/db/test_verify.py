"""``python -m db.verify``: its figures, its exit status, and that it only reads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.support.aria import aria_database
from tests.support.commands import alembic, verify, verify_report
from tests.support.history import legacy_message, legacy_session, production_history, seed
from tests.support.postgres import scratch_role
from tests.support.snapshots import all_rows


@pytest.fixture
def migrated(database_url: sa.URL) -> sa.URL:
    """A production-shaped history of 300 sessions and 300 messages, migrated."""
    alembic("upgrade", "head", database_url=production_history(database_url, 300))
    return database_url


def test_a_complete_migration_verifies(migrated: sa.URL, engine: sa.Engine) -> None:
    before = all_rows(engine)
    status, got = verify_report(migrated)

    assert status == 0
    assert got["complete"] is True
    assert got["sessions"] == {
        "legacy": 300, "migrated": 300, "archived": 0, "missing": 0, "not_migrated": 0,
    }  # fmt: skip
    messages = got["messages"]
    assert (messages["legacy"], messages["missing"]) == (300, 0)
    assert messages["migrated"] + messages["not_migrated"] == 300
    assert sum(got["not_placeable"].values()) == messages["not_migrated"] > 0
    assert set(got["not_placeable"]) <= {"no session reference", "unknown external id"}
    assert sum(g["sessions"]["legacy"] for g in got["by_agent"]) == 300
    assert {g["name"] for g in got["by_source"]} >= {"openclaw", "telegram", "unknown"}
    assert all_rows(engine) == before  # it only reads


def test_a_deleted_migrated_message_fails_the_check(migrated: sa.URL, engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text(
            "DELETE FROM aria_engine.chat_messages WHERE id = "
            "(SELECT id FROM aria_engine.chat_messages ORDER BY id LIMIT 1)"
        ))  # fmt: skip
    status, got = verify_report(migrated)
    assert status == 1
    assert got["complete"] is False
    assert got["messages"]["missing"] == 1
    assert got["sessions"]["missing"] == 0

    table = verify(migrated)
    assert table.returncode == 1
    assert "INCOMPLETE: 0 session(s) and 1 message(s)" in table.stdout


def test_a_deleted_migrated_session_counts_its_messages_missing(
    migrated: sa.URL, engine: sa.Engine
) -> None:
    with engine.begin() as connection:
        lost = connection.scalar(sa.text(
            "DELETE FROM aria_engine.chat_sessions WHERE id = (SELECT session_id FROM "
            "aria_engine.chat_messages GROUP BY session_id ORDER BY count(*) DESC, session_id "
            "LIMIT 1) RETURNING message_count"
        ))  # fmt: skip
    status, got = verify_report(migrated)
    assert status == 1
    assert got["sessions"]["missing"] == 1
    assert got["messages"]["missing"] == lost > 0


def test_clashes_and_every_reason_are_counted(database_url: sa.URL, engine: sa.Engine) -> None:
    alembic("upgrade", "0002_s1_01_engine_schema", database_url=database_url)
    clash, fine = legacy_session(metadata={"openclaw_session_id": "oc-1"}), legacy_session()
    messages = [
        legacy_message(session_id=fine["id"]),
        legacy_message(session_id=clash["id"]),
        legacy_message(external_session_id="oc-1"),
        legacy_message(external_session_id="nobody"),
        legacy_message(),
    ]
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO aria_engine.chat_sessions (id) VALUES (:id)"), {"id": clash["id"]}
        )
        seed(connection, [clash, fine], messages)
    alembic("upgrade", "head", database_url=database_url)

    status, got = verify_report(database_url)
    assert status == 0
    assert got["sessions"] == {
        "legacy": 2, "migrated": 1, "archived": 0, "missing": 0, "not_migrated": 1,
    }  # fmt: skip
    assert got["messages"] == {
        "legacy": 5, "migrated": 1, "archived": 0, "missing": 0, "not_migrated": 4,
    }  # fmt: skip
    assert got["not_placeable"] == {
        "no session reference": 1, "unknown external id": 1, "session id clash": 2,
    }  # fmt: skip


def test_before_any_migration_everything_is_missing(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    alembic("upgrade", "0002_s1_01_engine_schema", database_url=database_url)
    session = legacy_session()
    with engine.begin() as connection:
        seed(connection, [session], [legacy_message(session_id=session["id"])])
    status, got = verify_report(database_url)
    assert status == 1
    assert (got["sessions"]["missing"], got["messages"]["missing"]) == (1, 1)


def test_a_role_that_can_only_read_runs_it(migrated: sa.URL) -> None:
    grants = (
        "GRANT USAGE ON SCHEMA public, aria_engine TO {role}",
        "GRANT SELECT ON public.agent_sessions, public.session_messages, "
        "aria_engine.chat_sessions, aria_engine.chat_messages TO {role}",
    )
    with scratch_role(migrated, *grants) as role:
        status, got = verify_report(migrated.set(username=role))
    assert (status, got["complete"]) == (0, True)


def test_no_database_fails_in_one_line() -> None:
    result = verify(None)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: DATABASE_URL is not set")


def test_tables_not_there_yet_fail_in_one_line(database_url: sa.URL) -> None:
    result = verify(database_url)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "does not exist" in result.stderr


def test_rows_the_application_archived_count_as_archived_not_missing(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    aria_database(database_url, "current")
    alembic("upgrade", "head", database_url=database_url)
    with engine.begin() as connection:
        # The application's archiving: copy to the archive tables (same ids), then delete.
        moved = connection.scalar(
            sa.text("""
            WITH old AS (
                SELECT id FROM aria_engine.chat_sessions
                WHERE metadata->>'migrated_from' = 'agent_sessions' AND message_count > 0
                ORDER BY created_at LIMIT 40
            ), sessions AS (
                INSERT INTO aria_engine.chat_sessions_archive
                SELECT s.*, now() FROM aria_engine.chat_sessions s JOIN old USING (id)
                RETURNING id
            )
            SELECT count(*) FROM sessions
        """)
        )
        messages = connection.scalar(
            sa.text("""
            WITH m AS (
                INSERT INTO aria_engine.chat_messages_archive
                SELECT m.*, now() FROM aria_engine.chat_messages m
                JOIN aria_engine.chat_sessions_archive a ON a.id = m.session_id
                RETURNING id
            ) SELECT count(*) FROM m
        """)
        )
        connection.execute(sa.text(
            "DELETE FROM aria_engine.chat_sessions WHERE id IN "
            "(SELECT id FROM aria_engine.chat_sessions_archive)"
        ))  # fmt: skip
    status, got = verify_report(database_url)

    assert (status, moved) == (0, 40)
    assert got["archive_tables"] == ["aria_engine.chat_sessions_archive",
                                     "aria_engine.chat_messages_archive"]  # fmt: skip
    assert (got["sessions"]["archived"], got["sessions"]["missing"]) == (40, 0)
    assert (got["messages"]["archived"], got["messages"]["missing"]) == (messages, 0)
    assert messages > 0
    assert got["sessions"]["migrated"] + got["sessions"]["archived"] == got["sessions"]["legacy"]


def test_nothing_to_verify_has_its_own_status(database_url: sa.URL) -> None:
    alembic("upgrade", "head", database_url=database_url)
    result = verify(database_url)
    assert result.returncode == 3
    assert "NOTHING TO VERIFY: public.agent_sessions and public.session_messages hold no row" in (
        result.stdout
    )
    assert "COMPLETE" not in result.stdout


def test_a_bad_legacy_schema_name_is_refused(database_url: sa.URL) -> None:
    result = verify(database_url, "--legacy-schema", "aria_data; drop table x")
    assert result.returncode == 2
    assert "--legacy-schema: must be a schema name in lower case" in result.stderr


def test_by_agent_follows_the_placement_rule(database_url: sa.URL, engine: sa.Engine) -> None:
    alembic("upgrade", "0002_s1_01_engine_schema", database_url=database_url)
    low, high = sorted([uuid.uuid4(), uuid.uuid4()])
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    sessions = [
        legacy_session(agent_id="  ", started_at=t0, metadata={"openclaw_session_id": "k"}),
        legacy_session(agent_id="coder", started_at=t0 + timedelta(1),
                       metadata={"openclaw_session_id": "k"}),
        legacy_session(id=low, agent_id="ops", started_at=t0,
                       metadata={"openclaw_session_id": "t"}),
        legacy_session(id=high, agent_id="web", started_at=t0,
                       metadata={"external_session_id": "t"}),
    ]  # fmt: skip
    messages = [legacy_message(external_session_id="k"), legacy_message(external_session_id="t")]
    with engine.begin() as connection:
        seed(connection, sessions, messages)
    alembic("upgrade", "head", database_url=database_url)

    status, got = verify_report(database_url)
    by_agent = {g["name"]: (g["sessions"]["legacy"], g["messages"]["legacy"])
                for g in got["by_agent"]}  # fmt: skip
    assert status == 0
    # Blank is main; the later start wins the shared id; on a tie, the greater id.
    assert by_agent == {"main": (1, 0), "coder": (1, 1), "ops": (1, 0), "web": (1, 1)}


def test_a_message_id_clash_is_not_placeable_not_missing(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    alembic("upgrade", "0002_s1_01_engine_schema", database_url=database_url)
    session = legacy_session()
    clashing = legacy_message(session_id=session["id"])
    with engine.begin() as connection:
        native = connection.scalar(
            sa.text("INSERT INTO aria_engine.chat_sessions DEFAULT VALUES RETURNING id")
        )
        connection.execute(
            sa.text(
                "INSERT INTO aria_engine.chat_messages (id, session_id, role, content) "
                "VALUES (:id, :native, 'user', 'native')"
            ),
            {"id": clashing["id"], "native": native},
        )
        seed(connection, [session], [clashing, legacy_message(session_id=session["id"])])
    alembic("upgrade", "head", database_url=database_url)

    status, got = verify_report(database_url)
    assert status == 0
    assert (got["messages"]["migrated"], got["messages"]["missing"]) == (1, 0)
    assert got["not_placeable"] == {"message id clash": 1}
