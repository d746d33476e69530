"""The history survives the application (issue 18): judged by what is still in the engine,
live or archived, after the application's maintenance loops have run, on both eras of a real
Aria database with production's proportions (most legacy sessions hold no message).

The loops are our own SQL functions, written from the rules in ../shared/aria/DEPLOYMENTS.md
(``tests/support/sql/aria/maintenance.sql``): the ghost purge deletes every live session whose
message_count is 0, and two cleanups move old sessions and their messages to the archive.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from db.verify.check import NO_RECORD
from tests.support.aria import (
    LEGACY_SCHEMA,
    PRODUCTION,
    MaintenanceLoops,
    aria_database,
    maintenance,
)
from tests.support.commands import (
    BEFORE_HISTORY,
    HISTORY,
    alembic,
    apply_with_psql,
    offline_sql,
    reported,
    upgrade_head,
    verify,
    verify_report,
)
from tests.support.earlier_release import as_an_earlier_release_left_it
from tests.support.history import legacy_message, seed
from tests.support.postgres import fresh_database
from tests.support.snapshots import comparable, version

RETIRED = "0003_s8_06_openclaw_history"  # where an earlier release left its databases


@pytest.fixture
def production(database_url: sa.URL, era: str) -> sa.URL:
    """An Aria database of ``era`` holding production's proportions, not migrated yet."""
    aria_database(database_url, era, "production_history")
    return database_url


def options(era: str) -> tuple[str, ...]:
    """A printed script is for public unless told (online finds the tables itself)."""
    schema = LEGACY_SCHEMA[era]
    return () if schema == "public" else ("-x", f"legacy_schema={schema}")


def ids(connection: sa.Connection, table: str) -> set[uuid.UUID]:
    return set(connection.scalars(sa.text(f"SELECT id FROM {table}")))


def reachable(engine: sa.Engine) -> dict[str, dict[str, set[uuid.UUID]]]:
    """The ids in the engine, live and archived, of sessions and of messages; none in both."""
    with engine.connect() as connection:
        found = {
            kind: {"live": ids(connection, f"aria_engine.chat_{kind}"),
                   "archived": ids(connection, f"aria_engine.chat_{kind}_archive")}
            for kind in ("sessions", "messages")
        }  # fmt: skip
    for kind in found.values():
        assert not kind["live"] & kind["archived"], "a row both live and archived"
    return found


def legacy(engine: sa.Engine, era: str) -> dict[str, set[uuid.UUID]]:
    schema = LEGACY_SCHEMA[era]
    with engine.connect() as connection:
        return {"sessions": ids(connection, f"{schema}.agent_sessions"),
                "messages": ids(connection, f"{schema}.session_messages")}  # fmt: skip


def record(engine: sa.Engine) -> dict[str, Any]:
    """The record: its runs, and the ids carried by each kind."""
    with engine.connect() as connection:
        return {
            "runs": connection.execute(sa.text(
                "SELECT run, legacy_schema FROM public.s8_06_runs ORDER BY run")).all(),
            "sessions": ids(connection, "public.s8_06_carried_sessions"),
            "messages": ids(connection, "public.s8_06_carried_messages"),
        }  # fmt: skip


def the_mapped_rows(engine: sa.Engine) -> dict[str, dict[uuid.UUID, str]]:
    """Every engine session and message by id, its columns but where it is and since when."""
    keep = {"sessions": "id, agent_id, session_type, title, model, status, message_count, "
                        "total_tokens, total_cost, metadata, created_at, updated_at, ended_at",
            "messages": "id, session_id, role, content, metadata, created_at"}  # fmt: skip
    with engine.connect() as connection:
        return {
            kind: {
                row.id: row.text
                for table in (f"aria_engine.chat_{kind}", f"aria_engine.chat_{kind}_archive")
                for row in connection.execute(sa.text(
                    f"SELECT id, (SELECT r::text FROM (SELECT {columns}) AS r) AS text "
                    f"FROM {table}"))
            }
            for kind, columns in keep.items()
        }  # fmt: skip


def run_again(url: sa.URL, era: str, mode: str) -> str:
    """The README's way to pick up late legacy rows: ``alembic downgrade -1 && alembic
    upgrade head`` (or the printed script of that revision, applied with psql; or batched)."""
    alembic("downgrade", "-1", database_url=url)
    if mode in ("online", "batched"):
        batches = ("-x", "batch_size=100") if mode == "batched" else ()
        return alembic(*batches, "upgrade", "head", database_url=url).stderr
    return apply_with_psql(url, offline_sql(f"{BEFORE_HISTORY}:head", *options(era))).stderr


def test_every_legacy_row_is_still_in_the_engine_after_the_applications_loops(
    production: sa.URL, engine: sa.Engine, era: str, mode: str
) -> None:
    upgrade_head(production, mode, options=options(era) if mode == "offline" else ())
    everything = legacy(engine, era)
    placed = reachable(engine)
    assert len(placed["sessions"]["live"]) == PRODUCTION["sessions_with_messages"]
    assert len(placed["sessions"]["archived"]) == PRODUCTION["sessions"] - len(
        placed["sessions"]["live"])  # fmt: skip
    assert placed["messages"]["live"] == everything["messages"]
    status, before = verify_report(production)
    assert (status, before["sessions"]["carried"], before["messages"]["carried"]) == (
        0, PRODUCTION["sessions"], PRODUCTION["messages"])  # fmt: skip
    rows = the_mapped_rows(engine)

    moved = maintenance(production)

    after = reachable(engine)
    for kind in ("sessions", "messages"):
        assert after[kind]["live"] | after[kind]["archived"] == everything[kind]
    assert moved["ghost_purge"] == 0  # nothing of ours where it deletes
    assert moved["old_cleanup"] + moved["type_cleanup"] == PRODUCTION["sessions_with_messages"]
    assert the_mapped_rows(engine) == rows  # same ids, same mapping and envelope, wherever
    status, got = verify_report(production)
    assert status == 0, got["verdict"]
    for kind in ("sessions", "messages"):
        assert got[kind]["archived"] == got[kind]["carried"] == got[kind]["legacy"]
    assert verify(production).stdout.splitlines()[-1].startswith("COMPLETE")

    engine_rows = comparable(engine)
    log = run_again(production, era, mode)

    assert comparable(engine) == engine_rows  # a re-run writes nothing
    if mode == "online":
        assert reported(log) == {"legacy": PRODUCTION["sessions"], "live": 0, "archived": 0,
                                 "already": PRODUCTION["sessions"]}  # fmt: skip
    assert len(record(engine)["runs"]) == 2


@pytest.mark.parametrize("how", ["batched", "online", "offline"])
def test_a_run_beside_the_loops_ends_with_everything_carried(
    production: sa.URL, engine: sa.Engine, era: str, how: str
) -> None:
    alembic("upgrade", BEFORE_HISTORY, database_url=production)
    maintenance(production)  # the loops, then nothing of ours to take yet
    with MaintenanceLoops(production, pause=0.01) as loops:
        if how == "offline":
            result = apply_with_psql(production, offline_sql(f"{BEFORE_HISTORY}:head",
                                                             *options(era)))  # fmt: skip
        else:
            batches = ("-x", "batch_size=100") if how == "batched" else ()
            result = alembic(*batches, "upgrade", "head", database_url=production)
    assert loops.passes > 3, "the loops never ran beside the run"
    if how == "batched":
        assert loops.moved > 0, "the loops took nothing from the batches already committed"
    assert version(engine) == [HISTORY]
    assert "verification failed" not in result.stderr

    maintenance(production)  # and once more after it
    everything, after = legacy(engine, era), reachable(engine)
    for kind in ("sessions", "messages"):
        assert after[kind]["live"] | after[kind]["archived"] == everything[kind]
    status, got = verify_report(production)
    assert status == 0, got["verdict"]


def test_a_session_a_user_deleted_is_never_carried_again(
    production: sa.URL, engine: sa.Engine, era: str, mode: str
) -> None:
    alembic("upgrade", "head", database_url=production)
    with engine.begin() as connection:  # deleted in the engine's UI: its messages go with it
        deleted, messages = connection.execute(sa.text(
            "DELETE FROM aria_engine.chat_sessions WHERE id = (SELECT id FROM "
            "aria_engine.chat_sessions ORDER BY id LIMIT 1) RETURNING id, message_count"
        )).one()  # fmt: skip
    engine_rows = comparable(engine)

    run_again(production, era, mode)

    assert comparable(engine) == engine_rows
    status, got = verify_report(production)
    assert status == 0
    assert (got["sessions"]["removed"], got["messages"]["removed"]) == (1, messages)
    assert (got["sessions"]["missing"], got["messages"]["missing"]) == (0, 0)
    assert deleted in record(engine)["sessions"]


@pytest.mark.parametrize("how", ["online", "offline", "batched"])
def test_a_late_message_follows_its_session_into_the_archive(
    production: sa.URL, engine: sa.Engine, era: str, how: str
) -> None:
    alembic("upgrade", "head", database_url=production)
    maintenance(production)
    schema = LEGACY_SCHEMA[era]
    with engine.begin() as connection:
        quiet, noisy = connection.execute(sa.text(  # one held no message, one some; both archived
            "SELECT (SELECT id FROM aria_engine.chat_sessions_archive WHERE message_count = 0 "
            "ORDER BY id LIMIT 1), (SELECT id FROM aria_engine.chat_sessions_archive "
            "WHERE message_count > 0 ORDER BY id LIMIT 1)"
        )).one()  # fmt: skip
        before = {row.id: row for row in connection.execute(sa.text(
            "SELECT id, message_count, updated_at FROM aria_engine.chat_sessions_archive "
            "WHERE id IN (:quiet, :noisy)"), {"quiet": quiet, "noisy": noisy})}  # fmt: skip
        late = [
            legacy_message(session_id=quiet, created_at=sa.func.now()),
            legacy_message(session_id=noisy, created_at=sa.func.now()),
        ]
        seed(connection, messages=late, schema=schema)

    log = run_again(production, era, how)

    with engine.connect() as connection:
        for message, session in zip(late, (quiet, noisy), strict=True):
            row = connection.execute(sa.text(
                "SELECT session_id, metadata->>'migrated_from' AS made_by "
                "FROM aria_engine.chat_messages_archive WHERE id = :id"), {"id": message["id"]}
            ).one()  # fmt: skip
            assert (row.session_id, row.made_by) == (session, "session_messages")
            now = connection.execute(sa.text(
                "SELECT message_count, updated_at FROM aria_engine.chat_sessions_archive "
                "WHERE id = :id"), {"id": session}).one()  # fmt: skip
            assert now.message_count == before[session].message_count + 1
            assert now.updated_at > before[session].updated_at
    if how != "offline":
        assert "S8-06 sessions brought up to date with late messages: 2" in log
    status, got = verify_report(production)
    assert (status, got["messages"]["archived"]) == (0, PRODUCTION["messages"] + 2)


def test_a_late_message_of_a_session_deleted_since_is_counted_and_never_written(
    production: sa.URL, engine: sa.Engine, era: str, mode: str
) -> None:
    alembic("upgrade", "head", database_url=production)
    with engine.begin() as connection:
        deleted = connection.scalar(sa.text(
            "DELETE FROM aria_engine.chat_sessions WHERE id = (SELECT id FROM "
            "aria_engine.chat_sessions ORDER BY id LIMIT 1) RETURNING id"))  # fmt: skip
        late = legacy_message(session_id=deleted)
        seed(connection, messages=[late], schema=LEGACY_SCHEMA[era])

    log = run_again(production, era, mode)

    if mode == "online":
        assert "S8-06 messages not placed (session removed): 1" in log
    assert late["id"] not in record(engine)["messages"]
    found = reachable(engine)
    assert late["id"] not in found["messages"]["live"] | found["messages"]["archived"]
    status, got = verify_report(production)
    assert status == 0
    assert got["not_placeable"] == {"session_removed": 1}


def test_the_record_holds_exactly_what_the_run_wrote(
    production: sa.URL, engine: sa.Engine, era: str, mode: str
) -> None:
    upgrade_head(production, mode, options=options(era) if mode == "offline" else ())
    held, found = record(engine), reachable(engine)
    assert held["runs"] == [(1, LEGACY_SCHEMA[era])]
    for kind in ("sessions", "messages"):  # the engine holds nothing else here
        assert held[kind] == found[kind]["live"] | found[kind]["archived"]
    with engine.connect() as connection:
        assert not connection.scalar(
            sa.text("SELECT count(*) FROM public.s8_06_carried_sessions WHERE earlier_release")
        )


@pytest.mark.parametrize("loops_first", [False, True], ids=["as-left", "after-the-loops"])
def test_a_database_an_earlier_release_migrated_ends_as_a_fresh_one_does(
    production: sa.URL, engine: sa.Engine, era: str, mode: str, pg_server: sa.URL,
    loops_first: bool,
) -> None:  # fmt: skip
    as_an_earlier_release_left_it(production, archive_tables_were_there=era == "current")
    if loops_first:
        first_pass = maintenance(production)
        # The purge took every session without a message; the cleanups failed, as in the
        # field: that release left NULL totals, which the application's archive refuses.
        assert first_pass["ghost_purge"] == PRODUCTION["sessions"] - PRODUCTION[
            "sessions_with_messages"]  # fmt: skip
        assert first_pass["old_cleanup"] == -1
    status, before = verify_report(production)
    assert before["record"] is None
    assert NO_RECORD in verify(production).stdout
    missing = before["sessions"]["missing"]
    assert (status, missing) == ((1, first_pass["ghost_purge"]) if loops_first else (0, 0))

    if mode == "online":
        log = alembic("upgrade", "head", database_url=production).stderr
        assert "S8-06 rows an earlier release carried, recorded now: " in log
    else:
        apply_with_psql(production, offline_sql(f"{RETIRED}:head", *options(era)))

    with fresh_database(pg_server) as fresh_url:
        aria_database(fresh_url, era, "production_history")
        alembic("upgrade", "head", database_url=fresh_url)
        fresh = sa.create_engine(fresh_url, poolclass=sa.pool.NullPool)
        assert comparable(engine) == comparable(fresh)
        for url in (production, fresh_url):  # and the application's loops now pass on both
            assert min(maintenance(url).values()) >= 0
        assert comparable(engine) == comparable(fresh)
        fresh.dispose()
    status, got = verify_report(production)
    assert status == 0, got["verdict"]
    assert got["record"]["earlier_release"] > 0
    assert got["sessions"]["carried"] == PRODUCTION["sessions"]
