"""The Containerfile's image: what the README's commands do through a virtualenv, it does
through the image, against a real database; runtime only, as an unprivileged user."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.support.aria import HISTORY, aria_database
from tests.support.commands import HISTORY as HISTORY_REVISION
from tests.support.commands import alembic
from tests.support.containers import run_image

pytestmark = pytest.mark.container


def _with_password(url: sa.URL) -> dict[str, str]:
    return {"DATABASE_URL": url.render_as_string(hide_password=False)}


def test_upgrade_current_and_verify_through_the_image(database_url: sa.URL) -> None:
    aria_database(database_url, "current")
    environ = _with_password(database_url)

    upgraded = run_image("upgrade", "head", environ=environ)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "legacy tables: aria_data.agent_sessions" in upgraded.stderr
    assert f"S8-06 sessions: {HISTORY['current']['sessions']} legacy" in upgraded.stderr

    current = run_image("current", environ=environ)
    assert f"{HISTORY_REVISION} (head)" in current.stdout

    verified = run_image("--json", environ=environ, entrypoint="aria-verify")
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["sessions"]["carried"] == HISTORY["current"]["sessions"]

    carried = run_image("-x", "carry=arrived", "upgrade", "head", environ=environ)
    assert carried.returncode == 0, carried.stderr
    assert "S8-06 carry: nothing arrived since run 1 (" in carried.stderr
    printed = run_image("retire", "--sql", "--legacy-schema", "aria_data", entrypoint="aria-finish")
    assert "ALTER TABLE aria_data.agent_sessions RENAME TO agent_sessions_archived;" in (
        printed.stdout
    )


@pytest.mark.parametrize("options", [(), ("-x", "legacy_schema=aria_data")])
def test_the_printed_script_is_byte_for_byte_the_virtualenvs(options: tuple[str, ...]) -> None:
    through_image = run_image(*options, "upgrade", "head", "--sql")
    assert through_image.returncode == 0, through_image.stderr
    assert through_image.stdout == alembic(*options, "upgrade", "head", "--sql").stdout


def test_a_missing_database_url_fails_in_one_line() -> None:
    result = run_image("upgrade", "head")
    assert result.returncode != 0
    assert result.stdout == ""
    assert [line for line in result.stderr.splitlines() if line.startswith("FAILED")] == [
        "FAILED: DATABASE_URL is not set: export DATABASE_URL=postgresql://USER@HOST:5432/DBNAME "
        "(or use --sql to print the SQL without a database)"
    ]


def test_it_runs_unprivileged_with_the_runtime_only() -> None:
    user = run_image("-u", entrypoint="id")
    assert user.stdout.strip() == "10001"
    installed = run_image("list", "--format=json", entrypoint="pip")
    names = {package["name"].lower() for package in json.loads(installed.stdout)}
    assert {"alembic", "sqlalchemy", "psycopg", "sqlglot", "aria-migrations"} <= names
    assert not names & {"pytest", "hypothesis", "testcontainers", "ruff", "mypy", "squawk-cli"}
