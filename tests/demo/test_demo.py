"""``python -m demo``: runs to its report with no database configured, and never seeds one."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa

from tests.support.commands import ROOT, child_environ, reports


def run_demo(database_url: sa.URL | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "demo", "--size", "300"],
        cwd=ROOT, env=child_environ(database_url), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_demo_runs_to_its_report_with_no_database_configured() -> None:
    result = run_demo(None)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for step in range(1, 8):
        assert f"[{step}/7]" in out
    assert "SET LOCAL lock_timeout = '5s';" in out  # the head of the review
    assert "rehearsal: rolled back" in out
    rehearsal, first, again = reports(out)
    assert rehearsal == first
    assert first["live"] + first["archived"] == first["legacy"] == 300
    assert again == {"legacy": 300, "live": 0, "archived": 0, "already": 300}
    assert "nothing changed" in out
    assert "COMPLETE: nothing that could be migrated is missing" in out


def test_the_demo_refuses_a_configured_database(database_url: sa.URL, engine: sa.Engine) -> None:
    result = run_demo(database_url)
    assert result.returncode == 2
    assert "demo refused: DATABASE_URL is set" in result.stderr
    with engine.connect() as connection:
        tables = connection.scalar(sa.text(
            "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        ))  # fmt: skip
    assert tables == 0
