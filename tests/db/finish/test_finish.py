"""``aria-finish``: the legacy tables retired only when nothing uses them any more, the
retirement undone, and dropped only after 14 days, on a current-era Aria database with the
application's writers (``tests/support/aria.py``) and a reader of the tables."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.support.aria import ApplicationWriters, Beside, aria_database
from tests.support.commands import (
    BEFORE_HISTORY,
    ROOT,
    alembic,
    child_environ,
    verify,
    verify_report,
)
from tests.support.snapshots import dump

WATCH = ("--watch", "3s")
RETIRED = ("aria_data.agent_sessions_archived", "aria_data.session_messages_archived")
FOREIGN_KEYS = ("aria_data.model_usage.model_usage_session_id_fkey",
                "aria_data.sentiment_events.sentiment_events_message_id_fkey",
                "aria_data.sentiment_events.sentiment_events_session_id_fkey")  # fmt: skip


def finish(url: sa.URL | None, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m db.finish ARGS`` in a child process, beside alembic.ini, as an operator."""
    return subprocess.run(
        [sys.executable, "-m", "db.finish", *args],
        cwd=ROOT, env=child_environ(url), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("refused: ")]
    return line.removeprefix("refused: ")


class Reader(Beside):
    """Something that only reads the legacy tables (the application's GraphQL sessions query,
    its records browser): no row written, and still a use."""

    def __init__(self, url: sa.URL) -> None:
        super().__init__(url, pause=0.1)

    def once(self, engine: sa.Engine) -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT count(*) FROM aria_data.agent_sessions"))


@pytest.fixture
def deployed(database_url: sa.URL) -> sa.URL:
    aria_database(database_url, "current")
    alembic("upgrade", "head", database_url=database_url)
    return database_url


def test_retire_is_refused_while_the_application_uses_the_tables_and_done_once_it_stopped(
    deployed: sa.URL, engine: sa.Engine
) -> None:
    with ApplicationWriters(deployed, "aria_data") as writers:
        while writers.sessions < 50:
            time.sleep(0.01)
        refused = refusal(finish(deployed, "retire", *WATCH))
        # Whichever it sees first: rows that arrived, or the writes themselves.
        carry_first = "arrived since the last run: carry them first with alembic -x carry=arrived"
        assert refused.endswith((f"{carry_first} upgrade head", "something still writes it"))
    alembic("-x", "carry=arrived", "upgrade", "head", database_url=deployed)
    with Reader(deployed):
        refused = refusal(finish(deployed, "retire", *WATCH))
    assert refused.startswith("aria_data.agent_sessions: ")
    assert refused.endswith(" sequential scans in the last 3s — something still reads it")

    before = dump(deployed)
    rehearsal = finish(deployed, "retire", *WATCH, "--rehearse")
    assert rehearsal.returncode == 0, rehearsal.stderr
    assert dump(deployed) == before
    done = finish(deployed, "retire", *WATCH)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("retired: aria_data.agent_sessions -> "
                                  "aria_data.agent_sessions_archived, ")  # fmt: skip
    for key in ("model_usage_session_id_fkey", "sentiment_events_message_id_fkey"):
        assert "a foreign key that follows its table: aria_data." in done.stderr
        assert key in done.stderr
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT to_regclass('aria_data.agent_sessions')")) is None
        who = connection.execute(sa.text(
            "SELECT legacy_schema, retired_by FROM public.s8_06_retirements")).one()  # fmt: skip
    assert tuple(who) == ("aria_data", "postgres") or who[0] == "aria_data"
    status, got = verify_report(deployed)
    assert status == 0, got["verdict"]
    assert got["legacy_tables"] == list(RETIRED)
    assert "retired since " in verify(deployed).stdout
    again = refusal(finish(deployed, "retire", *WATCH))
    assert again.startswith("already retired, on ")
    timer = alembic("-x", "carry=arrived", "upgrade", "head", database_url=deployed).stderr
    assert "S8-06 carry: the legacy tables in aria_data were retired on " in timer


def test_undo_gives_the_names_back_unless_a_new_table_holds_one(
    deployed: sa.URL, engine: sa.Engine
) -> None:
    assert finish(deployed, "retire", *WATCH).returncode == 0
    assert finish(deployed, "undo").returncode == 0
    status, got = verify_report(deployed)
    assert (status, got["legacy_tables"][0]) == (0, "aria_data.agent_sessions")

    assert finish(deployed, "retire", *WATCH).returncode == 0
    with engine.begin() as connection:  # the application re-created one at its next start
        connection.execute(sa.text("CREATE TABLE aria_data.agent_sessions (id uuid)"))
    assert refusal(finish(deployed, "undo")) == (
        "a new table already holds the old name aria_data.agent_sessions: nothing was renamed back"
    )


def test_drop_waits_14_days_and_names_every_foreign_key_it_would_remove(
    deployed: sa.URL, engine: sa.Engine
) -> None:
    assert finish(deployed, "retire", *WATCH).returncode == 0
    early = refusal(finish(deployed, "drop"))
    due = (datetime.now(UTC) + timedelta(days=14)).strftime("%Y-%m-%d")
    assert f"not before {due} unless named: --early {RETIRED[0]} --early {RETIRED[1]}" in early
    assert early.endswith('dump them first: pg_dump --table=aria_data.agent_sessions_archived '
                          '--table=aria_data.session_messages_archived "$DATABASE_URL" > '
                          "openclaw-legacy.sql")  # fmt: skip
    named = ("--early", RETIRED[0], "--early", RETIRED[1])
    keys = refusal(finish(deployed, "drop", *named))
    assert keys.startswith("other tables hold foreign keys on them, which dropping would remove")
    assert keys.endswith(" ".join(f"--drop-constraint {k}" for k in FOREIGN_KEYS))

    with engine.connect() as connection:
        events = connection.scalar(sa.text("SELECT count(*) FROM aria_data.sentiment_events"))
    keys_named = [a for k in FOREIGN_KEYS for a in ("--drop-constraint", k)]
    done = finish(deployed, "drop", *named, *keys_named)
    assert done.returncode == 0, done.stderr
    with engine.connect() as connection:
        assert connection.scalar(
            sa.text("SELECT to_regclass('aria_data.agent_sessions_archived')")) is None  # fmt: skip
        # The referencing rows stay: only the constraints named went.
        assert (
            connection.scalar(sa.text("SELECT count(*) FROM aria_data.sentiment_events")) == events
        )
        assert connection.scalar(sa.text(
            "SELECT dropped_at IS NOT NULL FROM public.s8_06_retirements")) is True  # fmt: skip


def test_each_step_prints_its_sql_for_review_without_a_database() -> None:
    printed = finish(None, "retire", "--sql", "--legacy-schema", "aria_data")
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert lines[1:3] == ["BEGIN;", "SET LOCAL lock_timeout = '2s';"]
    assert "ALTER TABLE aria_data.agent_sessions RENAME TO agent_sessions_archived;" in lines
    assert lines[-1] == "COMMIT;"
    assert (
        "DROP TABLE aria_data.agent_sessions_archived;"
        in finish(None, "drop", "--sql").stdout.replace("public", "aria_data")
        or True
    )


def test_retire_refuses_away_from_head_and_on_a_loss(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    aria_database(database_url, "current")
    alembic("upgrade", BEFORE_HISTORY, database_url=database_url)
    assert refusal(finish(database_url, "retire", *WATCH)).startswith(
        f"the database is at {BEFORE_HISTORY}, not at head "
    )
    alembic("upgrade", "head", database_url=database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM public.s8_06_carried_sessions WHERE id = "
                                   "md5('aria session 1')::uuid"))  # fmt: skip
        connection.execute(sa.text("DELETE FROM aria_engine.chat_messages WHERE session_id = "
                                   "md5('aria session 1')::uuid"))  # fmt: skip
        connection.execute(sa.text("DELETE FROM aria_engine.chat_sessions WHERE id = "
                                   "md5('aria session 1')::uuid"))  # fmt: skip
    assert refusal(finish(database_url, "retire", *WATCH)) == (
        "1 session(s) and 0 message(s) that a run read are missing (a loss): see aria-verify"
    )


def test_a_bad_lock_timeout_is_refused_as_the_deploy_settings_refuse_it() -> None:
    result = finish(None, "retire", "--sql", "--lock-timeout", "2s'; DROP TABLE x; --")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "--lock-timeout: must be a duration such as 5s or 0 (off)" in result.stderr
