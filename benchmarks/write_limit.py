"""The write limit, and where (b)'s time goes.

(c) The write limit: the rows the data revision writes, saved aside once per size, written
again into a copy of the database at 0002 (same empty engine tables, same indexes, same
foreign key) by one ``INSERT … SELECT *`` per table, in the order the revision writes them,
in one transaction. What is left of (b) beyond it is the mapping and the placement.

Per-step times come from psql's ``\\timing``: one ``Time:`` line per statement, in the
script's order, each put down to the step its comment names (``-- sessions: …``).
"""

from __future__ import annotations

import re
import subprocess
import time

import sqlalchemy as sa

from db.throwaway import psql_executable, psql_url

ENGINE_TABLES = ("chat_sessions", "chat_messages")  # in the order the revision fills them
SAVED = "bench_result"
OTHER_STATEMENTS = "schema and bookkeeping"  # not the data revision's: adoption, settings, version
STEP = re.compile(r"^-- ([a-z ]+): ", re.M)
TIME = re.compile(r"^Time: ([0-9.]+) ms", re.M)


def psql(url: sa.URL, script: str) -> tuple[float, str]:
    """Seconds and stdout of ``psql -1`` running ``script`` (stops at the first error)."""
    started = time.perf_counter()
    # -1 around a script that has its own BEGIN/COMMIT: psql warns, and it is one transaction.
    result = subprocess.run(
        [str(psql_executable()), "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", psql_url(url)],
        input=script, capture_output=True, text=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"psql failed:\n{result.stderr}")
    return elapsed, result.stdout


def steps_of(script: str) -> list[str]:
    """Each statement of an ``alembic … --sql`` script, named by its step (or "schema and
    bookkeeping": the schema revisions, settings, guards, version table)."""
    statements = [s for s in script.split(";\n\n") if s.strip() and not _only_comments(s)]
    names = []
    for statement in statements:
        found = STEP.search(statement)
        names.append(found.group(1) if found else OTHER_STATEMENTS)
    return names


def _only_comments(chunk: str) -> bool:
    return all(line.startswith("--") or not line.strip() for line in chunk.splitlines())


def timed_by_step(url: sa.URL, script: str) -> tuple[float, dict[str, float]]:
    """(b) with psql's ``\\timing``: seconds in all, and seconds per step."""
    elapsed, out = psql(url, "\\timing on\n" + script)
    times = [float(ms) / 1000 for ms in TIME.findall(out)]
    names = steps_of(script)
    if len(times) != len(names):
        raise SystemExit(f"psql timed {len(times)} statements, the script holds {len(names)}")
    per_step: dict[str, float] = {}
    for name, seconds in zip(names, times, strict=True):
        per_step[name] = per_step.get(name, 0.0) + seconds
    return elapsed, per_step


def save_result(admin: sa.Engine, url: sa.URL) -> None:
    """In a database that ``alembic upgrade head`` just migrated: keep what the revision
    wrote (a fresh heap reads back in the order it was written), then empty the engine
    tables and set our version back to 0002, as a copy at 0002 would be."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {SAVED}")
        for table in ENGINE_TABLES:
            connection.exec_driver_sql(
                f"CREATE TABLE {SAVED}.{table} AS SELECT * FROM aria_engine.{table}"
            )
        connection.exec_driver_sql("TRUNCATE aria_engine.chat_messages, aria_engine.chat_sessions")
        connection.exec_driver_sql(
            "UPDATE public.alembic_version_aria_migrations "
            "SET version_num = '0002_s1_01_engine_schema'"
        )
    engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def write_limit(url: sa.URL) -> tuple[float, dict[str, float]]:
    """(c): seconds in all, and per table."""
    script = "\\timing on\n" + "".join(
        f"INSERT INTO aria_engine.{table} SELECT * FROM {SAVED}.{table};\n"
        for table in ENGINE_TABLES
    )
    elapsed, out = psql(url, script)
    times = [float(ms) / 1000 for ms in TIME.findall(out)]
    return elapsed, dict(zip(ENGINE_TABLES, times, strict=True))
