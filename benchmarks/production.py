"""The deploy on production's shape: aria-db's limits, a large history, the application busy.

PostgreSQL 17 in a container with ``--memory 512m --memory-swap 512m --cpus 1``
(``benchmarks/aria_db.py``); legacy histories in production's proportions (about 14,300
sessions to 3,900 messages) at production's own size and at 1M sessions, and 1M sessions
with 1M messages; the application's load beside every deploy (``benchmarks/load.py``). For
each case and mode, ``alembic upgrade head`` from 0006 (the data revision) is timed, and
reported: the mode the run chose and why, the application's p50 / p99 / max for writes and
for the chat list, its operations over one second and those that failed, the container's
peak memory that cannot be reclaimed (resident plus shared, sampled every 100 ms), the
migration backend's own peak (private resident), and whether the kernel killed anything.

    python -m benchmarks.production                            # every case, every mode
    python -m benchmarks.production --cases own ratio --modes default

The image: ``--image``, else ``ARIA_BENCH_POSTGRES_IMAGE``, else the PostgreSQL 17 image
``.ci/containers images`` built (CI's stand-in for the official one).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from benchmarks.aria_db import KILLED, LIMIT_BYTES, LIMITS, AriaDb, Cgroup, Throttling
from benchmarks.load import CREATE_LIVE_CHAT, Application
from benchmarks.run import ALEMBIC, ROOT, admin
from db.connection.throwaway import psql_url
from demo.legacy_history import build_legacy_history

BUILT = Path("/var/cache/aria-migrations-ci/containers/built")
BEFORE = "0006_s8_06_record_reads"  # the schema as the deploy finds it; timed: the data revision
MIB = 1024 * 1024
# Production: about 14,300 legacy sessions and 3,900 messages between them.
CASES = {
    "own": (14_300, 3_900),
    "ratio": (1_000_000, round(1_000_000 * 3_900 / 14_300)),
    "messages": (1_000_000, 1_000_000),
}
MODES = {
    "default": [],
    "single": ["-x", "single_transaction=true"],
    "batched": ["-x", "batch_size=20000"],
}
CHOSEN = re.compile(r"S8-06: (one transaction|batches of [0-9,]*[0-9])")
IDLE = "idle"  # no deploy: the application alone, for as long as the last deploy took


@dataclass
class Result:
    case: str
    mode: str
    chose: str
    seconds: float
    exit_status: int
    writes: dict[str, float]
    lists: dict[str, float]
    peak: int
    backend_peak: int
    killed: str
    throttling: Throttling

    def row(self) -> str:
        w, li = self.writes, self.lists
        sessions, messages = CASES[self.case]
        return (
            f"| {sessions:,} / {messages:,} | {self.mode} | {self.chose} | {self.seconds:.1f} "
            f"| {w['p50_ms']:.1f} / {w['p99_ms']:.1f} / {w['max_ms']:.0f} "
            f"| {li['p50_ms']:.1f} / {li['p99_ms']:.1f} / {li['max_ms']:.0f} "
            f"| {w['over_1s'] + li['over_1s']:.0f} | {w['failed'] + li['failed']:.0f} "
            f"| {self.peak / MIB:.0f} ({100 * self.peak / LIMIT_BYTES:.0f} %) "
            f"| {self.backend_peak / MIB:.0f} | {self.killed} "
            f"| {self.throttling.throttled} of {self.throttling.periods} "
            f"({self.throttling.seconds:.1f} s) |"
        )


HEADER = (
    "| sessions / messages | mode | the run chose | deploy s | writes p50 / p99 / max ms "
    "| list p50 / p99 / max ms | ops > 1 s | ops failed | container peak MiB (of 512) "
    "| migration backend peak MiB | killed | periods throttled |\n"
    "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
)


class Sampler(threading.Thread):
    """The container's memory every 100 ms: its peak, and the peak of any client backend
    that is not the application's (the migration's)."""

    def __init__(self, cgroup: Cgroup, application: Application) -> None:
        super().__init__(daemon=True)
        self.cgroup, self.application = cgroup, application
        self.peak = self.backend_peak = 0
        self.oom_before = self.oom_kills = cgroup.sample().oom_kills
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.1):
            try:
                sample = self.cgroup.sample()
            except OSError:  # the container's processes restarting
                continue
            self.peak = max(self.peak, sample.unreclaimable)
            ours = self.application.backend_pids()
            migration = [rss for pid, rss in sample.backends.items() if pid not in ours]
            self.backend_peak = max(self.backend_peak, *migration, 0)
            self.oom_kills = max(self.oom_kills, sample.oom_kills)


def build_template(db: AriaDb, case: str) -> str:
    """The legacy history, with the schema the deploy finds (0006) and one live chat."""
    sessions, messages = CASES[case]
    name = f"legacy_{case}"
    with admin(db.url()).connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    with sa.create_engine(db.url(name), poolclass=sa.pool.NullPool).begin() as connection:
        build_legacy_history(connection, sessions, messages)
    alembic(db.url(name), "upgrade", BEFORE, check=True)
    with admin(db.url(name)).connect() as connection:
        connection.exec_driver_sql(CREATE_LIVE_CHAT)
        connection.exec_driver_sql("VACUUM ANALYZE")
    print(f"  {case}: {sessions:,} sessions, {messages:,} messages, built in "
          f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    return name


def alembic(url: sa.URL, *args: str, check: bool = False) -> tuple[int, str]:
    """Exit status and log of one ``alembic ARGS``; a deploy that fails is a result to
    report, a failed setup (``check``) stops the benchmark."""
    env = dict(os.environ, DATABASE_URL=psql_url(url))
    done = subprocess.run([*ALEMBIC, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)  # fmt: skip
    if check and done.returncode != 0:
        raise SystemExit(f"alembic {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.returncode, done.stderr


def deploy(db: AriaDb, case: str, mode: str, template: str, idle: float = 60.0) -> Result:
    run = f"run_{case}"
    with admin(db.url()).connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{run}" TEMPLATE "{template}" '
                                   "STRATEGY file_copy")  # fmt: skip
        connection.exec_driver_sql("CHECKPOINT")
    db.restart()
    log_before = len(db.log())
    with Application(db.url(run)) as application:
        sampler = Sampler(db.cgroup(), application)
        sampler.start()
        time.sleep(5)  # the load settles before the deploy starts
        before = sampler.cgroup.throttling()
        started = time.perf_counter()
        if mode == IDLE:
            status, log = 0, ""
            time.sleep(idle)
        else:
            status, log = alembic(db.url(run), *MODES[mode], "upgrade", "head")
        seconds = time.perf_counter() - started
        throttling = sampler.cgroup.throttling().since(before)
        time.sleep(5)
        sampler.stopping.set()
        sampler.join()
    server_log = db.log()[log_before:]
    killed = [line.strip() for line in server_log.splitlines() if KILLED.search(line)]
    if sampler.oom_kills > sampler.oom_before:
        killed.append(f"{sampler.oom_kills - sampler.oom_before} OOM kill(s) in the cgroup")
    chose = CHOSEN.search(log) if mode != IDLE else None
    if status != 0:
        print(f"  {case} {mode}: alembic exited {status}: {log.strip().splitlines()[-1:]}")
    db.wait_ready()
    with admin(db.url()).connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')
    return Result(
        case, mode, chose.group(1) if chose else ("no deploy" if mode == IDLE else "?"),
        seconds, status,
        application.writes.timings.summary(), application.lists.timings.summary(),
        sampler.peak, sampler.backend_peak,
        "; ".join(killed) or "no", throttling,
    )  # fmt: skip


def image() -> str:
    if os.environ.get("ARIA_BENCH_POSTGRES_IMAGE"):
        return os.environ["ARIA_BENCH_POSTGRES_IMAGE"]
    if BUILT.exists():
        for line in BUILT.read_text().splitlines():
            if line.startswith("POSTGRES="):
                return line.split("=", 1)[1]
    raise SystemExit("no image: give --image, or build CI's with .ci/containers images")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument(
        "--modes",
        nargs="+",
        default=list(MODES),
        help=f"of {', '.join(MODES)}, {IDLE} (the load alone), or -x options "
        "in one argument: '-x batch_size=5000 -x batch_pause=100ms'",
    )
    parser.add_argument("--runs", type=int, default=1, help="of each mode, alternating")
    parser.add_argument("--image", default=None)
    args = parser.parse_args()
    results: list[Result] = []
    with AriaDb(args.image or image()) as db:
        with admin(db.url()).connect() as connection:
            version = connection.exec_driver_sql("SELECT version()").scalar()
        print(f"server: {version}, in a container with {' '.join(LIMITS)}")
        print(f"host: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}", flush=True)  # fmt: skip
        for case in args.cases:
            template = build_template(db, case)
            for _run in range(args.runs):
                for mode in args.modes if case != "own" else ["default"]:
                    if mode not in MODES and mode != IDLE:
                        MODES[mode] = mode.split()
                    idle = results[-1].seconds if results else 60.0
                    result = deploy(db, case, mode, template, idle)
                    results.append(result)
                    print(f"  {result.row()}", flush=True)
            with admin(db.url()).connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE "{template}" WITH (FORCE)')
    print(f"\n{HEADER}")
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
