"""The project's image and compose service, driven as an operator drives them.

Used only by ``tests/deploy`` (marker ``container``, which ``make test`` deselects unless
asked: ``make test PYTEST_ARGS="-m container tests/deploy"``). What they need comes from the
environment, and a missing piece fails the test in one line, never skips it:
``ARIA_MIGRATIONS_IMAGE`` (the image to test), ``ARIA_TEST_POSTGRES_IMAGE`` (the stand-in
``aria-db``), ``ARIA_CONTAINER_ENGINE`` (``podman`` unless set; ``docker`` works alike) and
``ARIA_COMPOSE`` (``podman-compose`` unless set; ``docker compose`` works alike).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Mapping

import pytest

from tests.support.commands import ROOT

STACK = ROOT / "tests" / "deploy" / "aria-stack.yaml"
SERVICE = ROOT / "deploy" / "compose.yaml"


def needed(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: tests/deploy need it (.ci/containers sets it)")
    return value


def engine() -> list[str]:
    return shlex.split(os.environ.get("ARIA_CONTAINER_ENGINE", "podman"))


def run(
    command: list[str], environ: Mapping[str, str] | None = None, stdin: str | None = None,
    timeout: int = 300,
) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run(
        command, env={**os.environ, **(environ or {})}, input=stdin, capture_output=True,
        text=True, timeout=timeout, check=False,
    )  # fmt: skip


def run_image(
    *args: str, environ: Mapping[str, str] | None = None, entrypoint: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``ENGINE run --rm IMAGE ARGS`` on the host's network (where the tests' PostgreSQL
    listens), handing over only the variables named in ``environ``, by name."""
    passed = [f"--env={name}" for name in environ or {}]
    chosen = [f"--entrypoint={entrypoint}"] if entrypoint else []
    command = [*engine(), "run", "--rm", "--network=host", *passed, *chosen,
               needed("ARIA_MIGRATIONS_IMAGE"), *args]  # fmt: skip
    return run(command, environ)


class Stack:
    """The stand-in Aria stack with our service added, as one compose project."""

    def __init__(self, project: str, environ: Mapping[str, str]) -> None:
        self.environ = {
            "ARIA_DB_IMAGE": needed("ARIA_TEST_POSTGRES_IMAGE"),
            "ARIA_MIGRATIONS_IMAGE": needed("ARIA_MIGRATIONS_IMAGE"),
            **environ,
        }
        compose = shlex.split(os.environ.get("ARIA_COMPOSE", "podman-compose"))
        self.compose = [*compose, "-p", project, "-f", str(STACK), "-f", str(SERVICE)]
        self.project = project

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return run([*self.compose, *args], self.environ, stdin)

    def service(
        self, *args: str, entrypoint: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``compose run --rm aria-migrations ARGS``: the one-shot service, as the runbook
        runs it."""
        chosen = ["--entrypoint", entrypoint] if entrypoint else []
        return self("--profile", "migrate", "run", "--rm", "-T", *chosen, "aria-migrations", *args)

    def database_container(self) -> str:
        found = run([*engine(), "ps", "--quiet", "--filter",
                     f"label=com.docker.compose.project={self.project}", "--filter",
                     "label=com.docker.compose.service=aria-db"]).stdout.split()  # fmt: skip
        assert len(found) == 1, found
        return found[0]

    def wait_until_healthy(self, seconds: float = 60) -> None:
        """Run aria-db's own healthcheck until it passes. Podman runs healthchecks from
        systemd timers, which a machine without systemd lacks, and podman-compose does not
        wait on ``condition: service_healthy``; docker compose does both itself."""
        container, deadline = self.database_container(), time.monotonic() + seconds
        while run([*engine(), "healthcheck", "run", container]).returncode != 0:
            assert time.monotonic() < deadline, f"aria-db not healthy after {seconds:.0f} s"
            time.sleep(1)

    def psql(self, sql: str, user: str, database: str) -> None:
        """Run ``sql`` inside aria-db (its port is not published: no other way in)."""
        result = run([*engine(), "exec", "-i", self.database_container(), "psql", "-q", "-X",
                      "-v", "ON_ERROR_STOP=1", "-U", user, "-d", database], stdin=sql)  # fmt: skip
        assert result.returncode == 0, result.stderr
