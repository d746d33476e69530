"""The write limit, and where (b)'s time goes.

(c) The write limit: the rows the data revision writes, saved aside once per size, written
again into a copy of the database at 0004 (same empty engine and archive tables, same
indexes, same foreign keys) by one ``INSERT … SELECT *`` per table, in the order the
revision writes them, in one transaction. What is left of (b) beyond it is the mapping, the
placement and the record. The record's own rows are then written the same way, timed apart:
what keeping the record costs in writes alone.

Per-step times come from psql's ``\\timing``: one ``Time:`` line per statement, in the
script's order, each put down to the step its comment names (``-- sessions: …``).
"""

from __future__ import annotations

import re
import subprocess
import time

import sqlalchemy as sa

from db.connection.throwaway import psql_executable, psql_url

# In the order the revision fills them.
ENGINE_TABLES = ("chat_sessions", "chat_sessions_archive", "chat_messages", "chat_messages_archive")
RECORD_TABLES = ("s8_06_carried_sessions", "s8_06_carried_messages")
RECORD = "record"  # (c)'s key for the record's rows, written after the engine's
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
    tables and the record and set our version back to 0004, as a copy at 0004 would be."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    tables = [*(f"aria_engine.{t}" for t in ENGINE_TABLES), *(f"public.{t}" for t in RECORD_TABLES)]
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {SAVED}")
        for table in tables:
            connection.exec_driver_sql(
                f"CREATE TABLE {SAVED}.{table.split('.')[1]} AS SELECT * FROM {table}"
            )
        connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)}, public.s8_06_runs")
        connection.exec_driver_sql(
            "UPDATE public.alembic_version_aria_migrations "
            "SET version_num = '0004_engine_archive_and_record'"
        )
    engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def write_limit(url: sa.URL) -> tuple[float, dict[str, float]]:
    """(c): seconds of the INSERTs into the engine's tables, and per table; and, apart, the
    record's rows (``record``)."""
    inserts = [f"INSERT INTO aria_engine.{t} SELECT * FROM {SAVED}.{t};\n" for t in ENGINE_TABLES]
    inserts += [f"INSERT INTO public.{t} SELECT * FROM {SAVED}.{t};\n" for t in RECORD_TABLES]
    _elapsed, out = psql(url, "\\timing on\n" + "".join(inserts))
    times = [float(ms) / 1000 for ms in TIME.findall(out)]
    per_table = dict(zip(ENGINE_TABLES, times, strict=False))
    per_table[RECORD] = sum(times[len(ENGINE_TABLES) :])
    return sum(times[: len(ENGINE_TABLES)]), per_table
