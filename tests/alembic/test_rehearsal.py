"""``-x rehearse=true``: every pending revision runs for real, reports, and is rolled back.

"As it was" is checked with pg_dump: schema, rows, and Alembic's version table, byte for
byte before and after.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.commands import BEFORE_HISTORY, alembic, failure, reported
from tests.support.history import production_history
from tests.support.snapshots import dump, version


@pytest.fixture
def legacy(database_url: sa.URL) -> sa.URL:
    return production_history(database_url, 200)


@pytest.mark.parametrize("start", [None, BEFORE_HISTORY], ids=["adoption", "data-only"])
def test_a_rehearsal_reports_and_leaves_the_database_as_it_was(
    legacy: sa.URL, engine: sa.Engine, start: str | None
) -> None:
    if start:
        alembic("upgrade", start, database_url=legacy)
    before = dump(legacy)

    log = alembic("-x", "rehearse=true", "upgrade", "head", database_url=legacy).stderr

    figures = reported(log)
    assert figures["legacy"] == figures["live"] + figures["archived"] == 200
    assert figures["already"] == 0
    assert "S8-06 messages not placed (unknown external id):" in log
    assert "rehearsal: rolled back" in log
    assert dump(legacy) == before
    assert version(engine) == ([start] if start else [])


def test_a_rehearsal_after_the_migration_finds_nothing_to_do(
    legacy: sa.URL, engine: sa.Engine
) -> None:
    alembic("upgrade", "head", database_url=legacy)
    before = dump(legacy)
    alembic("downgrade", "-1", database_url=legacy)
    after_downgrade = dump(legacy)

    log = alembic("-x", "rehearse=true", "upgrade", "head", database_url=legacy).stderr
    assert reported(log) == {"legacy": 200, "live": 0, "archived": 0, "already": 200}
    assert dump(legacy) == after_downgrade != before  # only the version row differs


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-x", "rehearse=true", "-x", "batch_size=100"],
         "-x rehearse cannot be combined with -x batch_size"),
        (["-x", "rehearse=true", "--sql"], "--sql only prints, so there is nothing to rehearse"),
        (["-x", "rehearse=maybe"], "-x rehearse must be true or false; got 'maybe'"),
    ],
)  # fmt: skip
def test_a_rehearsal_refuses_what_it_could_not_roll_back(
    arguments: list[str], message: str, legacy: sa.URL, engine: sa.Engine
) -> None:
    options = [a for a in arguments if a != "--sql"]
    extra = ["--sql"] if "--sql" in arguments else []
    result = alembic(*options, "upgrade", "head", *extra, database_url=legacy, check=False)
    assert message in failure(result)
    assert version(engine) == []
