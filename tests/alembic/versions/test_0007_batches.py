"""0003 in keyset batches (``-x batch_size``), and the deploy-safety settings.

The legacy data comes from the benchmark's generator (every placement path, ties, odd
rows), on production-shaped tables that the schema revisions adopt. A batched run must give
exactly the rows a single-transaction run gives, also when it is killed half way and run
again. To kill it at a known point, the test holds an uncommitted engine row whose id a
later batch will insert: that batch's INSERT … ON CONFLICT waits for the test's transaction.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.support.commands import (
    BEFORE_HISTORY,
    HISTORY,
    alembic,
    failure,
    reported,
    start_alembic,
)
from tests.support.history import production_history
from tests.support.postgres import fresh_database
from tests.support.snapshots import all_rows, comparable, version

SIZE, BATCH = 400, 50
TOTAL = f"{SIZE} legacy"


@pytest.fixture(scope="module")
def reference(pg_server: sa.URL) -> Iterator[dict[str, list[str]]]:
    """The same legacy data migrated in one transaction: what every batched run must equal
    (the generator is deterministic, so once per module will do)."""
    with fresh_database(pg_server) as url:
        alembic("upgrade", "head", database_url=production_history(url, SIZE))
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        yield comparable(engine)
        engine.dispose()


@pytest.fixture
def legacy(database_url: sa.URL) -> sa.URL:
    return production_history(database_url, SIZE)


@pytest.mark.parametrize("batch", [BATCH, 7])  # 7 does not divide 400: the last batch is short
def test_batches_give_the_rows_one_transaction_gives(
    legacy: sa.URL, engine: sa.Engine, reference: dict[str, list[str]], batch: int
) -> None:
    log = alembic("-x", f"batch_size={batch}", "upgrade", "head", database_url=legacy).stderr

    assert comparable(engine) == reference
    assert version(engine) == [HISTORY]
    figures = reported(log)
    assert (figures["legacy"], figures["live"] + figures["archived"]) == (SIZE, SIZE)
    assert figures["already"] == 0
    assert "S8-06: building the plan" in log
    progress = re.findall(r"S8-06 legacy sessions, each with its messages: (\d+) / (\d+) done "
                          r"\((\d+)%\), [\d,]+/s, about \d+ s left", log)  # fmt: skip
    batches = -(-SIZE // batch)
    assert [int(done) for done, _total, _pct in progress] == [
        min(n * batch, SIZE) for n in range(1, batches + 1)
    ]
    assert {total for _done, total, _pct in progress} == {str(SIZE)}
    assert [pct for _done, _total, pct in progress].count("100") == 1
    assert progress[-1][2] == "100"


STEP_SAID = re.compile(r"\[alembic.s8_06\] S8-06 "
                       r"(run|adopt|plan|sessions|messages|late messages|proof): "
                       r".*: ([\d,]+ rows|done) in \d+\.\d s$", re.M)  # fmt: skip


@pytest.mark.parametrize("batch", [None, BATCH])
def test_each_step_is_said_as_it_ends_with_its_time_and_rows(legacy: sa.URL, batch: int) -> None:
    options = ("-x", f"batch_size={batch}") if batch else ()
    said = STEP_SAID.findall(alembic(*options, "upgrade", "head", database_url=legacy).stderr)
    rows = f"{SIZE} rows"  # as many legacy messages as sessions
    start = [("run", "1 rows"), *[("adopt", "0 rows")] * 4, ("run", "1 rows")]
    if batch is None:
        assert said[:10] == [*start, ("plan", rows), ("plan", rows), ("plan", "done"),
                            ("plan", "done")]  # fmt: skip
        written = said[10:16]
        assert [name for name, _ in written] == [*["sessions"] * 2, *["messages"] * 2,
                                                 *["late messages"] * 2]  # fmt: skip
        assert sum(int(r.split()[0]) for _, r in written[:2]) == SIZE
        assert written[2][1] != "0 rows"
        assert [r for _, r in written[3:]] == ["0 rows"] * 3  # no late message on a first run
        assert said[16:] == [("proof", "done")]
    else:  # each plan table with its key (and index), their counts; then the batches' progress
        assert said == [*start, ("plan", rows), *[("plan", "done")] * 2, ("plan", rows),
                        *[("plan", "done")] * 3, ("proof", "done")]  # fmt: skip


def test_batches_rerun_finds_nothing_to_do(legacy: sa.URL, engine: sa.Engine) -> None:
    alembic("-x", f"batch_size={BATCH}", "upgrade", "head", database_url=legacy)
    before = all_rows(engine)
    alembic("downgrade", "-1", database_url=legacy)
    log = alembic("-x", "batch_size=7", "upgrade", "head", database_url=legacy).stderr
    assert all_rows(engine) == before
    assert reported(log) == {"legacy": SIZE, "live": 0, "archived": 0, "already": SIZE}


def test_batches_tell_the_planner_the_rows_they_wrote(legacy: sa.URL, engine: sa.Engine) -> None:
    """The application's prepared statements are planned again only when a table's
    statistics change: the batches analyze what they grew (after batches 1, 2, 4 and 8 of 8
    here), where autovacuum would at most once a minute, not within this test."""
    alembic("upgrade", BEFORE_HISTORY, database_url=legacy)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE aria_engine.chat_sessions, "
                                   "aria_engine.chat_sessions_archive")  # fmt: skip

    alembic("-x", f"batch_size={BATCH}", "upgrade", "head", database_url=legacy)

    with engine.connect() as connection:
        for table in ("chat_sessions", "chat_sessions_archive"):
            rows, counted = connection.execute(sa.text(
                f"SELECT count(*), (SELECT reltuples FROM pg_class WHERE oid = "
                f"'aria_engine.{table}'::regclass) FROM aria_engine.{table}")).one()  # fmt: skip
            assert rows > 0
            assert counted == rows


def _blocked_backend(engine: sa.Engine, table: str) -> int | None:
    """The pid of a backend whose INSERT into ``table`` is waiting on a lock."""
    with engine.connect() as connection:
        return connection.scalar(
            sa.text(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE :insert AND datname = current_database()"
            ),
            {"insert": f"%INSERT INTO {table} (%"},  # below the step's comment
        )


def _id_in_third_batch(engine: sa.Engine, table: str, where: str = "true") -> object:
    with engine.connect() as connection:
        return connection.scalar(
            sa.text(
                f"SELECT id FROM (SELECT * FROM {table} ORDER BY id "
                f"LIMIT {BATCH} OFFSET {2 * BATCH}) AS third WHERE {where} LIMIT 1"
            )
        )


def _hold_row(blocker: sa.Connection, phase: str, engine: sa.Engine) -> str:
    """Insert, and leave uncommitted, an engine row that the third batch of ``phase`` needs."""
    if phase == "sessions":
        # A session with a message: it goes to chat_sessions (the others to the archive).
        legacy_id = _id_in_third_batch(
            engine,
            "public.agent_sessions",
            "id IN (SELECT session_id FROM public.session_messages)",
        )
        blocker.execute(
            sa.text("INSERT INTO aria_engine.chat_sessions (id) VALUES (:id)"), {"id": legacy_id}
        )
        return "aria_engine.chat_sessions"
    legacy_id = _id_in_third_batch(engine, "public.session_messages", "session_id IS NOT NULL")
    native = blocker.scalar(
        sa.text("INSERT INTO aria_engine.chat_sessions DEFAULT VALUES RETURNING id")
    )
    blocker.execute(
        sa.text(
            "INSERT INTO aria_engine.chat_messages (id, session_id, role, content) "
            "VALUES (:id, :native, 'user', 'blocker')"
        ),
        {"id": legacy_id, "native": native},
    )
    return "aria_engine.chat_messages"


@pytest.mark.parametrize("phase", ["sessions", "messages"])
@pytest.mark.parametrize("kill", ["client", "client-and-server", "server"])
def test_killed_mid_run_then_run_again_misses_nothing_and_doubles_nothing(
    legacy: sa.URL, engine: sa.Engine, reference: dict[str, list[str]], phase: str, kill: str
) -> None:
    alembic("upgrade", BEFORE_HISTORY, database_url=legacy)
    blocker = engine.connect()
    table = _hold_row(blocker, phase, engine)
    run = start_alembic(
        "-x", f"batch_size={BATCH}", "-x", "lock_timeout=2min", "upgrade", "head",
        database_url=legacy,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while (pid := _blocked_backend(engine, table)) is None:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the batched run never reached the held row"
        time.sleep(0.05)

    if kill != "server":
        run.send_signal(signal.SIGKILL)
        run.wait()
    if kill != "client":
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    if kill == "server":  # the client sees its connection die mid-batch, and says so once
        stdout, stderr = run.communicate(timeout=60)
        said = failure(subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr))
        assert said == ("FAILED: terminating connection due to administrator command "
                        "[SQLSTATE 57P01]")  # fmt: skip
    blocker.rollback()
    blocker.close()
    deadline = time.monotonic() + 60
    with engine.connect() as connection:
        # One transaction per look: pg_stat_activity is a snapshot held for the transaction.
        while connection.scalar(
            sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        ):
            assert time.monotonic() < deadline, "the killed run's backend never went away"
            connection.rollback()
            time.sleep(0.05)
        done = connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))
    assert 0 < done < SIZE, "the kill did not land half way"
    assert version(engine) == [BEFORE_HISTORY]

    log = alembic("-x", f"batch_size={BATCH}", "upgrade", "head", database_url=legacy).stderr
    assert comparable(engine) == reference
    assert version(engine) == [HISTORY]
    assert reported(log)["already"] > 0


def test_batch_size_with_sql_is_refused_in_one_line() -> None:
    result = alembic("-x", "batch_size=1000", "upgrade", "head", "--sql", check=False)
    assert failure(result).startswith("FAILED: -x batch_size works online only")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("batch_size=0", "-x batch_size must be a whole number of rows above 0; got '0'"),
        ("batch_size=1e3", "-x batch_size must be a whole number"),
        ("batch_size=abc", "-x batch_size must be a whole number of rows above 0; got 'abc'"),
        ("migration_lock_wait=-1", "-x migration_lock_wait must be a number of seconds"),
        ("lock_timeout=5s'; DROP TABLE x; --", "-x lock_timeout must be a duration"),
        ("statement_timeout=soon", "-x statement_timeout must be a duration"),
        ("work_mem=lots", "-x work_mem must be a size such as 16MB; got 'lots'"),
        ("jit=maybe", "-x jit must be on or off; got 'maybe'"),
        ("hash_mem_multiplier=lots", "-x hash_mem_multiplier must be a number such as 1 or 2.0"),
        ("single_transaction=yes", "-x single_transaction must be true or false; got 'yes'"),
        ("batchsize=100", "unknown -x option(s): batchsize; known: batch_size,"),
        (
            "legacy_schema=aria_data; DROP TABLE x",
            "-x legacy_schema must be a schema name in lower case (letters, digits, _)",
        ),
    ],
)
def test_bad_settings_fail_in_one_line_before_any_sql_is_printed(option: str, message: str) -> None:
    result = alembic("-x", option, "upgrade", "head", "--sql", check=False)
    assert message in failure(result)  # and stdout, the file an operator redirects it to, empty


def test_forcing_both_modes_at_once_is_refused_in_one_line() -> None:
    result = alembic("-x", "single_transaction=true", "-x", "batch_size=100", "upgrade", "head",
                     "--sql", check=False)  # fmt: skip
    assert failure(result) == (
        "FAILED: -x single_transaction=true and -x batch_size ask for opposite runs; give one"
    )


@pytest.mark.parametrize("option", ["batch_size=abc", "work_mem=lots", "migration_lock_wait=x"])
def test_bad_settings_fail_also_where_nothing_is_left_to_run(
    option: str, database_url: sa.URL
) -> None:
    alembic("upgrade", "head", database_url=database_url)
    result = alembic("-x", option, "upgrade", "head", database_url=database_url, check=False)
    assert f"-x {option.split('=')[0]} must be" in failure(result)


def test_timeouts_are_in_the_printed_sql_and_can_be_overridden() -> None:
    default = alembic("upgrade", f"{BEFORE_HISTORY}:head", "--sql").stdout
    assert "SET LOCAL lock_timeout = '5s';" in default
    assert "SET LOCAL statement_timeout = '0';" in default
    assert "SET LOCAL work_mem = '16MB';" in default
    assert "SET LOCAL hash_mem_multiplier = '1';" in default
    assert "SET LOCAL jit = 'off';" in default
    changed = alembic(
        "-x", "lock_timeout=800ms", "-x", "statement_timeout=2h", "-x", "work_mem=1GB",
        "upgrade", f"{BEFORE_HISTORY}:head", "--sql",
    ).stdout  # fmt: skip
    assert "SET LOCAL lock_timeout = '800ms';" in changed
    assert "SET LOCAL statement_timeout = '2h';" in changed
    assert "SET LOCAL work_mem = '1GB';" in changed


@pytest.mark.parametrize("batch_size", [None, BATCH])
def test_a_blocked_lock_fails_fast(
    legacy: sa.URL, engine: sa.Engine, batch_size: int | None
) -> None:
    alembic("upgrade", BEFORE_HISTORY, database_url=legacy)
    batches = ["-x", f"batch_size={batch_size}"] if batch_size else []
    with engine.connect() as holder:
        holder.execute(sa.text("LOCK TABLE aria_engine.chat_sessions IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        result = alembic("-x", "lock_timeout=1s", *batches, "upgrade", "head",
                         database_url=legacy, check=False)  # fmt: skip
        waited = time.monotonic() - started
    assert failure(result) == "FAILED: canceling statement due to lock timeout [SQLSTATE 55P03]"
    assert waited < 60, "it queued instead of failing"
    assert version(engine) == [BEFORE_HISTORY]


def test_a_database_default_statement_timeout_does_not_cut_the_migration_short(
    legacy: sa.URL, engine: sa.Engine
) -> None:
    alembic("upgrade", BEFORE_HISTORY, database_url=legacy)
    database = legacy.database
    with engine.begin() as connection:
        # Every session insert now takes a while: longer than the database's default allows.
        connection.exec_driver_sql(
            "CREATE FUNCTION public.slow() RETURNS trigger LANGUAGE plpgsql "
            "AS 'BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END';"
            "CREATE TRIGGER slow BEFORE INSERT ON aria_engine.chat_sessions "
            "FOR EACH ROW EXECUTE FUNCTION public.slow();"
            f"ALTER DATABASE \"{database}\" SET statement_timeout = '300ms'"
        )
    cut = alembic("-x", "statement_timeout=300ms", "upgrade", "head",
                  database_url=legacy, check=False)  # fmt: skip
    assert "canceling statement due to statement timeout" in failure(cut)
    assert version(engine) == [BEFORE_HISTORY]

    alembic("upgrade", "head", database_url=legacy)  # the revision's own default: off
    assert version(engine) == [HISTORY]


def test_a_failed_self_check_after_batches_leaves_the_revision_unrecorded(
    legacy: sa.URL, engine: sa.Engine
) -> None:
    alembic("upgrade", BEFORE_HISTORY, database_url=legacy)
    with engine.begin() as connection:
        # A trigger that silently swallows message inserts: each INSERT succeeds, no row lands.
        connection.exec_driver_sql(
            "CREATE FUNCTION public.swallow() RETURNS trigger LANGUAGE plpgsql "
            "AS 'BEGIN RETURN NULL; END';"
            "CREATE TRIGGER swallow BEFORE INSERT ON aria_engine.chat_messages "
            "FOR EACH ROW EXECUTE FUNCTION public.swallow()"
        )
    result = alembic("-x", f"batch_size={BATCH}", "upgrade", "head",
                     database_url=legacy, check=False)  # fmt: skip
    said = failure(result)
    assert "S8-06 verification failed: 0 legacy session(s) and" in said
    assert "the batches done so far stay committed and the revision is not recorded" in said
    assert version(engine) == [BEFORE_HISTORY]
    with engine.connect() as connection:
        assert connection.scalar(sa.text(
            "SELECT (SELECT count(*) FROM aria_engine.chat_sessions) "
            "+ (SELECT count(*) FROM aria_engine.chat_sessions_archive)"
        )) == SIZE  # fmt: skip
