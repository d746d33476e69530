"""deploy/compose.yaml beside a stand-in of Aria's stack: the one-shot service reaches aria-db
over the stack's network with the stack's own credentials (aria-db publishes no port), and
the runbook's deploy works through it: review, rehearse, upgrade, verify."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from tests.support.aria import HISTORY, aria_script
from tests.support.commands import alembic
from tests.support.containers import Stack

pytestmark = pytest.mark.container
# Not the stack's defaults (admin / admin / aria_warehouse): the service must take the
# stack's variables, not assume them.
CREDENTIALS = {"DB_USER": "aria_ops", "DB_PASSWORD": "n0t-in-any-log", "DB_NAME": "aria_prod"}


@pytest.fixture
def stack() -> Iterator[Stack]:
    stack = Stack(f"ariatest{uuid.uuid4().hex[:8]}", CREDENTIALS)
    started = stack("up", "-d", "aria-db")
    assert started.returncode == 0, started.stderr
    try:
        stack.wait_until_healthy()
        yield stack
    finally:
        stack("down", "-v")


def test_the_deploy_through_the_compose_service(stack: Stack) -> None:
    stack.psql('CREATE EXTENSION IF NOT EXISTS "uuid-ossp";' + aria_script("current"),
               CREDENTIALS["DB_USER"], CREDENTIALS["DB_NAME"])  # fmt: skip

    review = stack.service("-x", "legacy_schema=aria_data", "upgrade", "head", "--sql")
    assert review.returncode == 0, review.stderr
    venv = alembic("-x", "legacy_schema=aria_data", "upgrade", "head", "--sql").stdout
    assert review.stdout == venv

    rehearsal = stack.service("-x", "rehearse=true", "upgrade", "head")
    assert rehearsal.returncode == 0, rehearsal.stderr
    assert "rehearsal: rolled back" in rehearsal.stderr

    upgraded = stack.service("upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "legacy tables: aria_data.agent_sessions" in upgraded.stderr
    assert f"S8-06 sessions: {HISTORY['current']['sessions']} legacy" in upgraded.stderr

    verified = stack.service("--json", entrypoint="aria-verify")
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["sessions"]["carried"] == HISTORY["current"]["sessions"]
    carried = stack.service("-x", "carry=arrived", "upgrade", "head")
    assert carried.returncode == 0, carried.stderr
    assert "S8-06 carry: nothing arrived since run 1 (" in carried.stderr
    said = review.stderr + rehearsal.stderr + upgraded.stderr + verified.stdout + verified.stderr
    assert CREDENTIALS["DB_PASSWORD"] not in said
