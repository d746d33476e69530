"""aria-db as production runs it: PostgreSQL 17 in a container limited to 512 MB of memory
(no swap) and one core (``../shared/aria/DEPLOYMENTS.md``, "How Aria runs"), and what its
memory holds, read from the container's cgroup and its processes as the kernel sees them.

The engine is ``podman`` unless ``ARIA_CONTAINER_ENGINE`` says otherwise (``docker`` works
alike); the image is one whose entrypoint follows the official postgres image's contract
(CI's stand-in, ``.ci/images/postgres``, or the official one where a registry is reachable).
The password is made here and handed to the container by name, never on a command line.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

LIMITS = ["--memory", "512m", "--memory-swap", "512m", "--cpus", "1"]
LIMIT_BYTES = 512 * 1024 * 1024
# The server's own settings stay the image's defaults (shared_buffers 128MB), as aria-db's;
# fsync on, as in production (CI's throwaway servers turn it off).
SERVER_ARGS = ["-c", "fsync=on"]
# What the server logs when the kernel kills one of its processes.
KILLED = re.compile(r"terminated by signal [0-9]+")


def engine() -> list[str]:
    return shlex.split(os.environ.get("ARIA_CONTAINER_ENGINE", "podman"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AriaDb:
    """One container, started with aria-db's limits, removed at the end."""

    def __init__(self, image: str, name: str = "aria-bench-db") -> None:
        self.image, self.name = image, name
        self.port = _free_port()
        self.password = secrets.token_urlsafe(18)

    def __enter__(self) -> AriaDb:
        subprocess.run([*engine(), "rm", "-f", self.name], capture_output=True, check=False)
        started = subprocess.run(
            [*engine(), "run", "-d", "--name", self.name, *LIMITS, "--env", "POSTGRES_PASSWORD",
             "-p", f"127.0.0.1:{self.port}:5432", self.image, *SERVER_ARGS],
            env={**os.environ, "POSTGRES_PASSWORD": self.password}, capture_output=True,
            text=True, check=False,
        )  # fmt: skip
        if started.returncode != 0:
            raise SystemExit(f"cannot start {self.image}: {started.stderr.strip()[-300:]}")
        self.wait_ready()
        return self

    def __exit__(self, *_: object) -> None:
        subprocess.run([*engine(), "rm", "-f", self.name], capture_output=True, check=False)

    def url(self, database: str = "postgres") -> sa.URL:
        return sa.URL.create("postgresql+psycopg", "postgres", self.password, "127.0.0.1",
                             self.port, database)  # fmt: skip

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                engine_ = sa.create_engine(self.url(), poolclass=sa.pool.NullPool)
                with engine_.connect() as connection:
                    connection.exec_driver_sql("SELECT 1")
                return
            except sa.exc.OperationalError as error:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{self.name} did not accept connections") from error
                time.sleep(0.5)

    def restart(self) -> None:
        """Fresh backends and empty shared buffers before each run: every mode starts alike."""
        subprocess.run([*engine(), "restart", self.name], capture_output=True, check=True)
        self.wait_ready()

    def log(self) -> str:
        done = subprocess.run([*engine(), "logs", self.name], capture_output=True, text=True,
                              check=False)  # fmt: skip
        return done.stdout + done.stderr

    def cgroup(self) -> Cgroup:
        pid = subprocess.run(
            [*engine(), "inspect", "--format", "{{.State.Pid}}", self.name],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        return Cgroup(int(pid))


@dataclass
class Sample:
    unreclaimable: int  # resident plus shared, the whole container, bytes
    backends: dict[int, int]  # server pid (as pg_backend_pid() says) -> private resident bytes
    oom_kills: int


@dataclass
class Throttling:
    """The CPU quota's periods so far, and those in which the container was stopped for
    having used its core's worth (CFS bandwidth control: what ``--cpus 1`` sets)."""

    periods: int
    throttled: int
    seconds: float

    def since(self, before: Throttling) -> Throttling:
        return Throttling(self.periods - before.periods, self.throttled - before.throttled,
                          self.seconds - before.seconds)  # fmt: skip


class Cgroup:
    """The container's memory and CPU cgroups (v1 or v2), found from its first process."""

    def __init__(self, pid: int) -> None:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
        v1 = {line.split(":", 2)[1]: line.split(":", 2)[2].lstrip("/") for line in lines}
        if v1.get("memory"):
            self.path, self.v1 = Path("/sys/fs/cgroup/memory") / v1["memory"], True
            self.cpu = Path("/sys/fs/cgroup/cpu") / v1["cpu"]
        else:
            self.path, self.v1 = Path("/sys/fs/cgroup") / v1[""], False
            self.cpu = self.path

    def throttling(self) -> Throttling:
        pairs = (line.split() for line in (self.cpu / "cpu.stat").read_text().splitlines())
        stat = {key: int(value) for key, value in pairs}
        if self.v1:
            return Throttling(stat["nr_periods"], stat["nr_throttled"],
                              stat["throttled_time"] / 1e9)  # fmt: skip
        return Throttling(stat["nr_periods"], stat["nr_throttled"], stat["throttled_usec"] / 1e6)

    def _stat(self) -> dict[str, int]:
        pairs = (line.split() for line in (self.path / "memory.stat").read_text().splitlines())
        return {key: int(value) for key, value in pairs}

    def _oom_kills(self) -> int:
        name = "memory.oom_control" if self.v1 else "memory.events"
        for line in (self.path / name).read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def sample(self) -> Sample:
        stat = self._stat()
        rss, shmem = ("total_rss", "total_shmem") if self.v1 else ("anon", "shmem")
        return Sample(stat[rss] + stat[shmem], self._backends(), self._oom_kills())

    def _backends(self) -> dict[int, int]:
        """Each client backend's private resident memory (RssAnon), by its pid inside the
        container, which is what ``pg_backend_pid()`` returns."""
        found: dict[int, int] = {}
        for pid in (self.path / "cgroup.procs").read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:  # gone between the listing and the read
                continue
            if "(" not in command:  # a client backend names its client's address(port)
                continue
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            inner = int(fields["NSpid"].split()[-1])
            found[inner] = int(fields.get("RssAnon", "0 kB").split()[0]) * 1024
        return found
