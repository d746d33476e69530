"""env.py: offline SQL, the deploy lock, search_path independence, and one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import sqlalchemy as sa

from db.connection.url import migration_engine
from db.deploy.lock import LOCK_KEY
from tests.support.commands import (
    ALEMBIC_INI,
    ROOT,
    alembic,
    apply_with_psql,
    child_environ,
    failure,
    head,
    offline_sql,
    revision_count,
    start_alembic,
)
from tests.support.legacy import openclaw_init
from tests.support.postgres import fresh_database, scratch_role
from tests.support.snapshots import version

SECRET = "pw-sentinel-7Qx"


def test_offline_needs_no_database_and_is_byte_identical() -> None:
    first = alembic("upgrade", "head", "--sql")  # no DATABASE_URL in its environment
    second = alembic("upgrade", "head", "--sql")
    assert first.stdout == second.stdout
    assert "CREATE TABLE IF NOT EXISTS public.agent_sessions" in first.stdout
    assert (
        "INSERT INTO public.alembic_version_aria_migrations (version_num)\n"
        "VALUES ('0001_legacy_baseline')"
    ) in first.stdout


def test_offline_sql_reads_the_legacy_tables_where_it_is_told() -> None:
    default = offline_sql()
    told = offline_sql("head", "-x", "legacy_schema=aria_data")
    for sql, schema, other in ((default, "public", "aria_data"), (told, "aria_data", "public")):
        assert f"CREATE TABLE IF NOT EXISTS {schema}.agent_sessions" in sql
        # The placement plan reads the messages (the guard only peeks at the other era).
        assert f"FROM {schema}.session_messages AS legacy_message\n" in sql
        assert f"CREATE TABLE IF NOT EXISTS {other}.agent_sessions" not in sql
        assert f"FROM {other}.session_messages AS legacy_message\n" not in sql


def test_a_schema_name_longer_than_postgresql_keeps_is_refused_in_one_line() -> None:
    result = alembic("-x", f"legacy_schema={'s' * 64}", "upgrade", "head", "--sql", check=False)
    assert failure(result) == (
        "FAILED: -x legacy_schema must be a schema name of at most 63 bytes (PostgreSQL would "
        "cut it short); got 64"
    )


def test_a_schema_name_of_63_bytes_is_taken_whole(engine: sa.Engine, database_url) -> None:
    longest = "s" * 63
    alembic("-x", f"legacy_schema={longest}", "upgrade", "head", database_url=database_url)
    with engine.connect() as connection:
        schemas = set(connection.scalars(sa.text("SELECT nspname FROM pg_namespace")))
    assert longest in schemas
    assert f"FROM {longest}.session_messages AS legacy_message\n" in offline_sql(
        "head", "-x", f"legacy_schema={longest}"
    )


def test_offline_sql_is_plain_sql_for_psql() -> None:
    sql = offline_sql()
    assert "%%" not in sql
    assert not re.search(r"%\(\w+\)s", sql)
    # psql substitutes :name outside quoted text; casts (::type) are fine.
    unquoted = re.sub(r"\$(\w*)\$.*?\$\1\$|'(?:[^']|'')*'", "''", sql, flags=re.DOTALL)
    assert not re.search(r"(?<![:\w]):[A-Za-z_]\w*", unquoted)


def test_offline_sql_applied_with_psql_builds_the_schema(engine: sa.Engine, database_url) -> None:
    apply_with_psql(database_url, offline_sql())
    assert version(engine) == [head()]


def _role_without_public(database_url: sa.URL):
    return scratch_role(
        database_url,
        "ALTER ROLE {role} SET search_path = ''",
        f'ALTER DATABASE "{database_url.database}" OWNER TO {{role}}',
    )


def test_a_role_whose_search_path_omits_public_migrates_online(
    engine: sa.Engine, database_url: sa.URL
) -> None:
    with _role_without_public(database_url) as role:
        alembic("upgrade", "head", database_url=database_url.set(username=role, password=None))
        assert version(engine) == [head()]
        alembic("downgrade", "base", database_url=database_url.set(username=role, password=None))
        assert version(engine) == []


def test_a_role_whose_search_path_omits_public_migrates_offline(
    engine: sa.Engine, database_url: sa.URL
) -> None:
    # psql pins nothing: this is the run in which an unqualified name would fail.
    with _role_without_public(database_url) as role:
        apply_with_psql(database_url.set(username=role, password=None), offline_sql())
        assert version(engine) == [head()]


def _spawn_upgrade(database_url: sa.URL, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "alembic", "-c", str(ALEMBIC_INI), *extra, "upgrade", "head"],
        cwd=ROOT,
        env=child_environ(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _waiting_for_lock(connection: sa.Connection) -> int:
    return connection.scalar(
        sa.text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND ((classid::bigint << 32) | objid::bigint) = :key AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"key": LOCK_KEY},
    )


def test_two_concurrent_upgrades_queue_and_the_second_finds_nothing_to_do(
    engine: sa.Engine, database_url: sa.URL
) -> None:
    openclaw_init(database_url)  # one legacy session, one message: each must arrive once
    holder = engine.connect()
    holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
    holder.commit()
    deploys = [_spawn_upgrade(database_url), _spawn_upgrade(database_url)]
    deadline = time.monotonic() + 60
    while _waiting_for_lock(holder) < 2:
        assert time.monotonic() < deadline, "the two deploys never queued on the lock"
        assert all(d.poll() is None for d in deploys), "a deploy ended without waiting"
        time.sleep(0.1)
    holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
    holder.commit()
    holder.close()

    outputs = [d.communicate(timeout=120) for d in deploys]
    assert [d.returncode for d in deploys] == [0, 0], outputs
    ran = [err.count("Running upgrade") for _out, err in outputs]
    assert sorted(ran) == [0, revision_count()]
    assert version(engine) == [head()]
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM aria_engine.chat_messages")) == 1


def test_a_held_lock_fails_after_the_bounded_wait(
    engine: sa.Engine, database_url, pg_server: sa.URL
) -> None:
    # A deploy of another database on the same server holds the same key first: it is not
    # in our way and must not be named as the holder.
    with fresh_database(pg_server) as elsewhere:
        other_engine = migration_engine(elsewhere)
        try:
            with other_engine.connect() as other:
                other.execute(sa.text("SET application_name = 'another database'"))
                other.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
                _held_lock_fails_after_the_bounded_wait(engine, database_url)
        finally:
            other_engine.dispose()


def _held_lock_fails_after_the_bounded_wait(engine: sa.Engine, database_url: sa.URL) -> None:
    with engine.connect() as holder:
        holder.execute(sa.text("SET application_name = 'the first deploy'"))
        holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
        pid = holder.scalar(sa.text("SELECT pg_backend_pid()"))
        result = alembic(
            "-x",
            "migration_lock_wait=1",
            "upgrade",
            "head",
            database_url=database_url,
            check=False,
        )
    assert "FAILED: another migration has held the deploy lock for over 1 s" in failure(result)
    assert version(engine) == []
    (waiting,) = [line for line in result.stderr.splitlines() if "waiting for the deploy" in line]
    assert f"held by backend {pid} (the first deploy), connected since " in waiting
    assert "waiting up to 1 s" in waiting


def test_missing_database_url_is_one_line() -> None:
    result = alembic("upgrade", "head", check=False)
    assert failure(result).startswith("FAILED: DATABASE_URL is not set")


def test_the_password_reaches_no_output(engine: sa.Engine, database_url: sa.URL) -> None:
    # The server's own password where it checks one (testcontainers'); else, under trust
    # auth, a planted one: accepted, not checked.
    secret = str(database_url.password or SECRET)
    result = alembic("upgrade", "head", database_url=database_url.set(password=secret))
    assert secret not in result.stdout + result.stderr
    assert version(engine) == [head()]


def test_an_unreachable_database_fails_in_one_line_without_the_password() -> None:
    result = alembic(
        "upgrade",
        "head",
        database_url=f"postgresql://aria:{SECRET}@127.0.0.1:1/aria?connect_timeout=3",
        check=False,
    )
    failure(result)
    assert SECRET not in result.stdout + result.stderr


def test_sql_piped_into_a_reader_that_stops_early_ends_quietly() -> None:
    """``alembic upgrade head --sql | head``: the pipe closes before the script is written."""
    run = start_alembic("upgrade", "head", "--sql", database_url=None)
    assert run.stdout is not None
    run.stdout.close()
    _, stderr = run.communicate(timeout=120)
    assert "Traceback" not in stderr
    assert "Error" not in stderr
