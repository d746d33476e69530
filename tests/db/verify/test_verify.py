"""``python -m db.verify``: its figures, its exit status, and that it only reads."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.aria import aria_database, maintenance
from tests.support.commands import ROOT, alembic, child_environ, verify, verify_report
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
    sessions = got["sessions"]
    assert (sessions["legacy"], sessions["carried"], sessions["missing"]) == (300, 300, 0)
    assert sessions["live"] > 0  # those with messages
    assert sessions["archived"] > 0  # those without
    assert (sessions["removed"], sessions["not_migrated"]) == (0, 0)
    messages = got["messages"]
    assert (messages["legacy"], messages["missing"], messages["removed"]) == (300, 0, 0)
    assert messages["live"] == messages["carried"]
    assert messages["carried"] + messages["not_migrated"] == 300
    assert got["record"]["runs"] == 1
    assert (got["record"]["sessions"], got["record"]["messages"]) == (300, messages["carried"])
    assert sum(got["not_placeable"].values()) == messages["not_migrated"] > 0
    assert set(got["not_placeable"]) <= {"no_session_reference", "unknown_external_id"}
    assert sum(g["sessions"]["legacy"] for g in got["by_agent"]) == 300
    assert {g["name"] for g in got["by_source"]} >= {"openclaw", "telegram", "unknown"}
    assert all_rows(engine) == before  # it only reads


def test_a_message_deleted_since_is_removed_and_one_never_carried_is_missing(
    migrated: sa.URL, engine: sa.Engine
) -> None:
    first, second = (
        "(SELECT id FROM aria_engine.chat_messages ORDER BY id LIMIT 1)",
        "(SELECT id FROM aria_engine.chat_messages ORDER BY id LIMIT 1 OFFSET 1)",
    )
    with engine.begin() as connection:  # a user deletes one; the other was never carried
        connection.execute(sa.text(
            f"DELETE FROM public.s8_06_carried_messages WHERE id = {second};"
            f"DELETE FROM aria_engine.chat_messages WHERE id IN ({first}, {second})"
        ))  # fmt: skip
    status, got = verify_report(migrated)
    assert status == 1
    assert got["complete"] is False
    assert (got["messages"]["removed"], got["messages"]["missing"]) == (1, 1)
    assert got["sessions"]["missing"] == 0

    table = verify(migrated)
    assert table.returncode == 1
    assert "INCOMPLETE: 0 session(s) and 1 message(s)" in table.stdout


def test_a_session_deleted_since_is_removed_with_its_messages_not_missing(
    migrated: sa.URL, engine: sa.Engine
) -> None:
    with engine.begin() as connection:
        lost = connection.scalar(sa.text(
            "DELETE FROM aria_engine.chat_sessions WHERE id = (SELECT session_id FROM "
            "aria_engine.chat_messages GROUP BY session_id ORDER BY count(*) DESC, session_id "
            "LIMIT 1) RETURNING message_count"
        ))  # fmt: skip
    status, got = verify_report(migrated)
    assert status == 0
    assert (got["sessions"]["removed"], got["sessions"]["missing"]) == (1, 0)
    assert (got["messages"]["removed"], got["messages"]["missing"]) == (lost, 0)
    assert lost > 0


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
        "legacy": 2, "live": 1, "archived": 0, "removed": 0, "not_migrated": 1, "missing": 0,
        "arrived": 0, "carried": 1,
    }  # fmt: skip
    assert got["messages"] == {
        "legacy": 5, "live": 1, "archived": 0, "removed": 0, "not_migrated": 4, "missing": 0,
        "arrived": 0, "carried": 1,
    }  # fmt: skip
    assert got["not_placeable"] == {
        "no_session_reference": 1, "unknown_external_id": 1, "session_id_clash": 2,
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
        "aria_engine.chat_sessions, aria_engine.chat_messages, "
        "aria_engine.chat_sessions_archive, aria_engine.chat_messages_archive, "
        "public.s8_06_runs, public.s8_06_carried_sessions, public.s8_06_carried_messages, "
        "public.s8_06_retirements "
        "TO {role}",
    )
    with scratch_role(migrated, *grants) as role:
        status, got = verify_report(migrated.set(username=role))
    assert (status, got["complete"]) == (0, True)


def test_no_database_fails_in_one_line() -> None:
    result = verify(None)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: DATABASE_URL is not set")


def test_tables_not_there_yet_fail_in_one_line_that_names_them(database_url: sa.URL) -> None:
    result = verify(database_url)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "error: not there yet: public.agent_sessions, public.session_messages, "
        "aria_engine.chat_sessions, aria_engine.chat_messages; run alembic upgrade head first\n"
    )
    alembic("upgrade", "head", database_url=database_url)
    elsewhere = verify(database_url, "--legacy-schema", "aria_data")
    assert elsewhere.returncode == 2
    assert elsewhere.stderr == (
        "error: not there yet: aria_data.agent_sessions, aria_data.session_messages; "
        "name the schema they are in with --legacy-schema NAME\n"
    )


def test_every_row_adds_up_overall_by_agent_and_by_source(migrated: sa.URL) -> None:
    _status, got = verify_report(migrated)
    groups = [got] + got["by_agent"] + got["by_source"]
    for group in groups:
        for what in ("sessions", "messages"):
            c = group[what]
            parts = ("live", "archived", "removed", "missing", "not_migrated", "arrived")
            assert c["legacy"] == sum(c[part] for part in parts)
            assert c["carried"] == c["live"] + c["archived"] + c["removed"]
    table = verify(migrated).stdout
    rows = re.findall(r"^(\S.{17})" + r" +([\d,]+)" * 7 + "$", table, re.M)
    assert len(rows) == 2 + sum(
        1 for g in got["by_agent"] + got["by_source"] for w in ("sessions", "messages")
        if g[w]["legacy"]
    )  # fmt: skip
    for _name, legacy, *parts in rows:
        assert int(legacy.replace(",", "")) == sum(int(p.replace(",", "")) for p in parts)
    assert "messages by agent" in table
    assert "(not placeable)" in table


def test_json_is_snake_case_and_says_what_when_and_which_version(migrated: sa.URL) -> None:
    # A server that checks passwords (testcontainers') needs the real one; one that trusts
    # (CI's service) takes any, so a fake one stands in.
    secret = str(migrated.password or "not-a-real-password")
    _status, got = verify_report(migrated.set(password=secret))

    def keys(node: object) -> list[str]:
        if isinstance(node, dict):
            return [*node, *(k for value in node.values() for k in keys(value))]
        if isinstance(node, list):
            return [k for value in node for k in keys(value)]
        return []

    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", key) for key in keys(got)), keys(got)
    assert got["database"] == migrated.set(password=secret).render_as_string(hide_password=True)
    assert ":***@" in got["database"]
    assert secret not in json.dumps(got)
    checked_at = datetime.fromisoformat(got["checked_at"])
    assert abs(datetime.now(UTC) - checked_at) < timedelta(minutes=5)
    assert got["version"] == metadata.version("aria-migrations")
    assert got["exit_status"] == 0


def test_help_is_plain_text_under_the_name_it_was_run_by() -> None:
    script = Path(sys.executable).with_name("aria-verify")
    as_script = subprocess.run([script, "--help"], capture_output=True, text=True, check=True)
    as_module = verify(None, "--help")
    assert as_script.stdout.startswith("usage: aria-verify ")
    assert as_module.stdout.startswith("usage: python -m db.verify ")
    for text in (as_script.stdout, as_module.stdout):
        assert "``" not in text
        assert "exit status: 0 complete, 1 incomplete" in text


def test_a_reader_that_stops_early_gets_no_traceback(migrated: sa.URL) -> None:
    """``aria-verify | head -1``: the pipe closes before the report is written."""
    reader_gone = subprocess.Popen(
        [sys.executable, "-m", "db.verify"], cwd=ROOT, env=child_environ(migrated),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert reader_gone.stdout is not None
    assert reader_gone.stderr is not None
    reader_gone.stdout.close()
    stderr = reader_gone.stderr.read()
    assert reader_gone.wait(timeout=120) == 0
    assert stderr == ""


def test_rows_the_application_archived_count_as_archived_not_missing(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    aria_database(database_url, "current")
    alembic("upgrade", "head", database_url=database_url)
    _status, before = verify_report(database_url)
    moved = maintenance(database_url)
    status, got = verify_report(database_url)

    assert status == 0
    assert moved["old_cleanup"] + moved["type_cleanup"] > 0
    assert got["archive_tables"] == ["aria_engine.chat_sessions_archive",
                                     "aria_engine.chat_messages_archive"]  # fmt: skip
    for what in ("sessions", "messages"):
        assert got[what]["carried"] == got[what]["archived"] == before[what]["carried"] > 0
        assert (got[what]["live"], got[what]["missing"], got[what]["removed"]) == (0, 0, 0)


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
    assert (got["messages"]["carried"], got["messages"]["missing"]) == (1, 0)
    assert got["not_placeable"] == {"message_id_clash": 1}


def test_a_schema_name_longer_than_postgresql_keeps_is_refused(database_url: sa.URL) -> None:
    too_long = "s" * 64
    result = verify(database_url, "--legacy-schema", too_long)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.endswith(
        "--legacy-schema: must be a schema name of at most 63 bytes (PostgreSQL would cut it "
        "short); got 64"
    )
    assert result.stdout == ""


def test_a_schema_name_of_63_bytes_is_taken_whole(database_url: sa.URL) -> None:
    longest = "s" * 63
    alembic("-x", f"legacy_schema={longest}", "upgrade", "head", database_url=database_url)
    result = verify(database_url, "--legacy-schema", longest)
    assert result.returncode == 3, result.stderr
    assert f"NOTHING TO VERIFY: {longest}.agent_sessions and {longest}.session_messages" in (
        result.stdout
    )
