"""Run the project the way an operator does: the alembic CLI, and psql on its --sql output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from db.connection.throwaway import psql_executable, psql_url

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = ROOT / "alembic.ini"

# Everything the data revision (0007) sends but the report's reads and Alembic's own bookkeeping.
DATA_STATEMENTS = ("SET LOCAL", "DO $legacy$", "CREATE TEMPORARY TABLE", "INSERT INTO", "WITH ",
                   "ANALYZE",
                   "UPDATE aria_engine.", "UPDATE public.s8_06_runs", "DO $proof$")  # fmt: skip

BASELINE = "0001_legacy_baseline"
ENGINE_SCHEMA = "0002_s1_01_engine_schema"
ARCHIVE_AND_RECORD = "0004_engine_archive_and_record"
BEFORE_HISTORY = "0006_s8_06_record_reads"  # right before the data revision: tests seed there
HISTORY = "0007_s8_06_placed_and_titled"


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(Config(str(ALEMBIC_INI)))


def head() -> str:
    """The one head of the history (the built-in tests check there is only one)."""
    (only,) = _script().get_heads()
    return only


def revision_count() -> int:
    return len(list(_script().walk_revisions()))


def child_environ(database_url: sa.URL | str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url is not None:
        if isinstance(database_url, sa.URL):
            database_url = database_url.render_as_string(hide_password=False)
        env["DATABASE_URL"] = database_url.replace("postgresql+psycopg://", "postgresql://")
    return env


def start_alembic(*args: str, database_url: sa.URL | None) -> subprocess.Popen[str]:
    """``alembic -c alembic.ini ARGS`` started in the background, its log on stderr."""
    return subprocess.Popen(
        [sys.executable, "-m", "alembic", "-c", str(ALEMBIC_INI), *args],
        cwd=ROOT,
        env=child_environ(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def alembic(
    *args: str, database_url: sa.URL | str | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """``alembic -c alembic.ini ARGS`` in a child process, as a deploy runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ALEMBIC_INI), *args],
        cwd=ROOT,
        env=child_environ(database_url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"alembic {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def failure(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a failed ``alembic`` run printed: on stderr, once, nothing on stdout,
    no traceback; Alembic's exit status for a failure."""
    assert result.returncode == 255, (result.returncode, result.stdout, result.stderr)
    assert not result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith(("FAILED", "ERROR"))]
    assert len(errors) == 1, result.stderr
    assert result.stderr.count(errors[0].removeprefix("FAILED: ")) == 1, result.stderr
    return errors[0]


def offline_sql(revision_range: str = "head", *options: str) -> str:
    """What ``alembic [OPTIONS] upgrade RANGE --sql`` prints, with no database configured."""
    return alembic(*options, "upgrade", revision_range, "--sql").stdout


def apply_with_psql(url: sa.URL, sql: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Feed ``sql`` to psql as an operator would: stop at the first error."""
    result = subprocess.run(
        [str(psql_executable()), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", psql_url(url)],
        input=sql,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"psql failed:\n{result.stderr}")
    return result


def upgrade_head(
    url: sa.URL, mode: str, check: bool = True, options: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """``alembic [OPTIONS] upgrade head`` online, or its ``--sql`` output applied with psql."""
    if mode == "online":
        return alembic(*options, "upgrade", "head", database_url=url, check=check)
    return apply_with_psql(url, offline_sql("head", *options), check=check)


@contextmanager
def data_statements_sent(engine: sa.Engine) -> Iterator[list[str]]:
    """Collect the data statements sent on ``engine`` in the block; none may bind a value."""
    sent: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if is_data_statement(statement):
            sent.append(statement.strip())
            assert not parameters, "a value was bound, not rendered into the SQL"

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)


def is_data_statement(statement: str) -> bool:
    """Below its one-line comment (a laid-out step has one), one of ``DATA_STATEMENTS``."""
    code = [line for line in statement.strip().splitlines() if not line.startswith("--")]
    return bool(code) and code[0].startswith(DATA_STATEMENTS)


def data_statements(printed: str) -> list[str]:
    """The data statements of a ``--sql`` script, as they would be sent (comments included:
    a step's comment is part of what runs)."""

    def without_alembic_comments(chunk: str) -> str:  # "-- Running upgrade …" and the like
        paragraphs = chunk.strip().split("\n\n")
        return "\n\n".join(p for p in paragraphs if not all(
            line.startswith("--") for line in p.splitlines()))  # fmt: skip

    chunks = (without_alembic_comments(chunk) for chunk in printed.split(";\n\n"))
    return [chunk for chunk in chunks if is_data_statement(chunk)]


def verify(url: sa.URL | None, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m db.verify ARGS`` in a child process, against ``url``."""
    return subprocess.run(
        [sys.executable, "-m", "db.verify", *args],
        cwd=ROOT, env=child_environ(url), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def verify_report(url: sa.URL, *args: str) -> tuple[int, dict[str, Any]]:
    """Its exit status and its ``--json`` report ({} when it could not check)."""
    result = verify(url, "--json", *args)
    return result.returncode, json.loads(result.stdout or "{}")


REPORTED = re.compile(
    r"S8-06 (?P<what>sessions|messages): (?P<legacy>[\d,]+) legacy, (?P<live>[\d,]+) into "
    r"chat_\w+, (?P<archived>[\d,]+) into chat_\w+_archive, (?P<already>[\d,]+) already carried"
)


def reports(log: str, what: str = "sessions") -> list[dict[str, int]]:
    """Each run report's figures for ``what`` (legacy, live, archived, already) in a log."""
    return [{k: int(v.replace(",", "")) for k, v in m.groupdict().items() if k != "what"}
            for m in REPORTED.finditer(log) if m["what"] == what]  # fmt: skip


def reported(log: str, what: str = "sessions") -> dict[str, int]:
    """The one run report's figures for ``what`` in a log."""
    (only,) = reports(log, what)
    return only
