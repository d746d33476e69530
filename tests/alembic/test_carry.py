"""The application keeps writing the legacy tables after the deploy (issue 26): what it
writes is told apart from what was lost, and a scheduled ``alembic -x carry=arrived upgrade
head`` carries it, with the data revision's own plan, record and proof, at head only, never
touching a version table. Both eras; the application's writers
(``tests/support/aria.py``: skill runs posted, some patched, sentiment scoring its messages,
the foreign keys the application holds) run beside the deploy and the carries.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from tests.support.aria import LEGACY_SCHEMA, ApplicationWriters
from tests.support.commands import (
    BEFORE_HISTORY,
    alembic,
    apply_with_psql,
    failure,
    head,
    offline_sql,
    verify_report,
)
from tests.support.snapshots import APPLICATIONS, dump, version

CARRY = ("-x", "carry=arrived", "upgrade", "head")
ARRIVED, MISSING = 4, 1


def carried(log: str) -> str:
    (line,) = [x for x in log.splitlines() if "S8-06 carry:" in x]
    return line.split("S8-06 carry: ", 1)[1]


def write_for(writers: ApplicationWriters, calls: int) -> None:
    """Let the writers make at least ``calls`` more skill calls."""
    until = writers.sessions + calls
    while writers.sessions < until:
        time.sleep(0.01)
        assert writers.is_alive(), writers.error


def test_what_the_application_writes_after_the_deploy_arrives_and_the_carry_takes_it(
    aria: sa.URL, era: str, engine: sa.Engine
) -> None:
    with ApplicationWriters(aria, LEGACY_SCHEMA[era]) as writers:
        write_for(writers, 20)
        alembic("upgrade", "head", database_url=aria)  # the deploy, beside the writers
        write_for(writers, 300)
    status, got = verify_report(aria)
    assert (status, got["sessions"]["missing"], got["messages"]["missing"]) == (ARRIVED, 0, 0)
    assert got["sessions"]["arrived"] >= 300
    assert got["arrived_sessions"]["oldest"] <= got["arrived_sessions"]["newest"]
    assert got["carry_command"] == "alembic -x carry=arrived upgrade head"
    by_agent = {group["name"]: group["sessions"]["arrived"] for group in got["by_agent"]}
    assert by_agent["main"] >= 300
    assert got["verdict"].startswith("COMPLETE UP TO THE LAST RUN: ")

    first = alembic(*CARRY, database_url=aria).stderr
    assert carried(first) == (
        f"{got['sessions']['arrived']:,} session(s) and {got['messages']['arrived']:,} "
        "message(s) arrived since run 1; carrying them"
    )
    status, after = verify_report(aria)
    assert (status, after["sessions"]["arrived"], after["messages"]["arrived"]) == (0, 0, 0)
    second = alembic(*CARRY, database_url=aria).stderr
    assert carried(second).startswith("nothing arrived since run 2 (")
    assert "S8-06 sessions:" not in second  # a no-op: no run, no report
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT max(run) FROM public.s8_06_runs")) == 2


def test_carries_beside_the_writers_never_lose_a_row(aria: sa.URL, era: str) -> None:
    alembic("upgrade", "head", database_url=aria)
    with ApplicationWriters(aria, LEGACY_SCHEMA[era], pause=0.002) as writers:
        for _ in range(3):
            write_for(writers, 50)
            alembic(*CARRY, database_url=aria)
        write_for(writers, 20)
    status, got = verify_report(aria)
    assert (got["sessions"]["missing"], got["messages"]["missing"]) == (0, 0)
    assert status == ARRIVED  # what the writers made after the last carry
    alembic(*CARRY, database_url=aria)
    status, got = verify_report(aria)
    assert status == 0, got["verdict"]
    assert got["sessions"]["carried"] == got["sessions"]["legacy"] - got["sessions"]["not_migrated"]
    assert writers.patched > 0  # patched after they were carried: still carried, not arrived


def test_a_row_a_run_read_and_lost_is_missing_not_arrived(aria: sa.URL, engine: sa.Engine) -> None:
    alembic("upgrade", "head", database_url=aria)
    with engine.begin() as connection:  # a loss: the record's entry and the engine row gone
        lost = connection.scalar(sa.text(
            "DELETE FROM public.s8_06_carried_messages WHERE id = (SELECT min(id::text)::uuid "
            "FROM public.s8_06_carried_messages) RETURNING id"))  # fmt: skip
        connection.execute(sa.text("DELETE FROM aria_engine.chat_messages WHERE id = :id"),
                           {"id": lost})  # fmt: skip
    status, got = verify_report(aria)
    assert (status, got["messages"]["missing"], got["messages"]["arrived"]) == (MISSING, 1, 0)
    assert got["verdict"] == (
        "INCOMPLETE: 0 session(s) and 1 message(s) that a run read are missing"
    )


def test_the_carry_runs_at_head_only(aria: sa.URL, engine: sa.Engine) -> None:
    alembic("upgrade", BEFORE_HISTORY, database_url=aria)
    before = dump(aria)
    result = alembic(*CARRY, database_url=aria, check=False)
    assert failure(result) == (
        f"FAILED: -x carry=arrived carries at head only, and the database is at "
        f"{BEFORE_HISTORY}: deploy with alembic upgrade head first"
    )
    assert dump(aria) == before


def test_the_carry_reviewed_as_sql_then_applied_touches_no_version_table(
    aria: sa.URL, era: str, engine: sa.Engine
) -> None:
    alembic("upgrade", "head", database_url=aria)
    with ApplicationWriters(aria, LEGACY_SCHEMA[era]) as writers:
        write_for(writers, 30)
    schema = ("-x", f"legacy_schema={LEGACY_SCHEMA[era]}")
    script = offline_sql("head", *schema, "-x", "carry=arrived")
    check, _, carry = script.partition("$version$;")
    assert f"IF at IS DISTINCT FROM '{head()}' THEN" in check  # at head, or it stops
    assert "-- proof: " in carry
    assert "alembic_version" not in carry  # no version table is written
    versions = (version(engine), version(engine, APPLICATIONS))

    rehearsal = alembic("-x", "rehearse=true", *CARRY, database_url=aria).stderr
    assert "rehearsal: rolled back" in rehearsal
    apply_with_psql(aria, script)

    assert (version(engine), version(engine, APPLICATIONS)) == versions
    status, got = verify_report(aria)
    assert status == 0, got["verdict"]
    applied_again = apply_with_psql(aria, script)  # at head still: it runs, and finds nothing new
    assert "S8-06 verification failed" not in applied_again.stderr
