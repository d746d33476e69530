"""The script an operator reviews: every line readable (at most 160 characters, Alembic's
own statements included), and safe to apply twice or to the wrong database: it stops in
one line naming the revision the database is at, and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tests.support.commands import (
    ARCHIVE_AND_RECORD,
    HISTORY,
    alembic,
    apply_with_psql,
    offline_sql,
)
from tests.support.snapshots import dump

WIDEST = 160
SCRIPTS = [
    ("head",),
    ("head", "-x", "legacy_schema=aria_data"),
    ("0003_s8_06_openclaw_history:head",),
    (f"{ARCHIVE_AND_RECORD}:{HISTORY}", "-x", "legacy_schema=aria_data"),
]
OURS = "public.alembic_version_aria_migrations"
VERSION_STATEMENT = re.compile(
    rf"^(?:INSERT INTO|UPDATE|DELETE FROM) {OURS}\b.*?(?=;$)", re.MULTILINE | re.DOTALL
)
STOPPED = "ERROR:  this script starts from {start}, but the database is {said}: nothing was changed"


def errors(stderr: str) -> list[str]:
    """psql's error lines, without where in the script it was."""
    return [line[line.index("ERROR:") :] for line in stderr.splitlines() if "ERROR:" in line]


@pytest.mark.parametrize("script", SCRIPTS, ids=" ".join)
def test_every_line_of_the_script_is_at_most_160_characters(script: tuple[str, ...]) -> None:
    revisions, *options = script
    printed = offline_sql(revisions, *options)
    widest = max(printed.splitlines(), key=len)
    assert len(widest) <= WIDEST, widest
    assert len(printed.splitlines()) > 100


def test_the_downgrade_script_too() -> None:
    printed = alembic("downgrade", f"{HISTORY}:base", "--sql").stdout
    assert max(len(line) for line in printed.splitlines()) <= WIDEST


def test_our_version_table_is_written_one_clause_per_line() -> None:
    printed = [m.strip() for m in VERSION_STATEMENT.findall(offline_sql("head"))]
    assert len(printed) == 7  # the first revision's row, then one update per revision
    assert printed[1].splitlines() == [
        f"UPDATE {OURS}",
        "SET version_num='0002_s1_01_engine_schema'",
        f"WHERE {OURS}.version_num = '0001_legacy_baseline'",
    ]
    assert all(len(line) <= 100 for statement in printed for line in statement.splitlines())


def test_online_the_same_compiler_lays_out_what_alembic_sends(
    alembic_cfg: Config, engine: sa.Engine
) -> None:
    sent: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith((f"INSERT INTO {OURS}", f"UPDATE {OURS}")):
            sent.append(statement.strip())

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        command.upgrade(alembic_cfg, "head")
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    printed = [m.strip() for m in VERSION_STATEMENT.findall(offline_sql("head"))]
    assert sent == printed


def _at(url: sa.URL) -> str:
    return alembic("current", database_url=url).stdout.split()[0]


def test_the_script_applied_twice_stops_in_one_line_and_changes_nothing(
    database_url: sa.URL,
) -> None:
    script = offline_sql("head")
    apply_with_psql(database_url, script)
    before = dump(database_url)
    again = apply_with_psql(database_url, script, check=False)
    assert again.returncode != 0
    assert errors(again.stderr) == [STOPPED.format(start="base", said=f"at {HISTORY}")]
    assert dump(database_url) == before


@pytest.mark.parametrize(
    ("at", "start", "said"),
    [
        (HISTORY, ARCHIVE_AND_RECORD, f"at {HISTORY}"),
        ("0002_s1_01_engine_schema", ARCHIVE_AND_RECORD, "at 0002_s1_01_engine_schema"),
        (None, "0003_s8_06_openclaw_history", f"at base (no revision in {OURS})"),
    ],
)
def test_a_range_script_on_a_database_elsewhere_stops_in_one_line(
    database_url: sa.URL, at: str | None, start: str, said: str
) -> None:
    if at is not None:
        alembic("upgrade", at, database_url=database_url)
    before = dump(database_url)
    applied = apply_with_psql(database_url, offline_sql(f"{start[:4]}:head"), check=False)
    assert applied.returncode != 0
    assert errors(applied.stderr) == [STOPPED.format(start=start, said=said)]
    assert dump(database_url) == before


def test_a_range_script_on_the_database_where_it_starts_runs(database_url: sa.URL) -> None:
    alembic("upgrade", ARCHIVE_AND_RECORD, database_url=database_url)
    apply_with_psql(database_url, offline_sql(f"{ARCHIVE_AND_RECORD}:head"))
    assert _at(database_url) == HISTORY
