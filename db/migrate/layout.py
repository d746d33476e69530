"""Data statements laid out for the operator who reviews ``--sql`` before a deploy.

A ``Step`` is one statement of a data revision: a one-line SQL comment saying what it does,
then the statement with one clause per line (sqlglot's pretty printer, pinned in
pyproject.toml because its layout is part of the SQL an operator reviews). The step
compiles to that text verbatim, online as in ``--sql``: what PostgreSQL runs is what the
operator read, comment included, so ``pg_stat_activity`` names the step that is running.

Generic: nothing here knows a table. The laid-out statement is the same statement: the data
revision's tests have PostgreSQL plan each step both ways and compare the plans.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

from db.migrate.expressions import literal_sql

WIDTH = 100  # sqlglot breaks an expression that would not fit; a few run past it (< 160)
INDENT = 4


def pretty(sql: str) -> str:
    """``sql`` re-printed one clause per line; raises if sqlglot cannot read all of it."""
    # Imported here: every alembic command loads the revisions, few of them lay SQL out.
    import sqlglot
    from sqlglot.errors import ErrorLevel

    tree = sqlglot.parse_one(sql, read="postgres", error_level=ErrorLevel.RAISE)
    return tree.sql(
        dialect="postgres", pretty=True, pad=INDENT, indent=INDENT, max_text_width=WIDTH,
        normalize_functions="lower", unsupported_level=ErrorLevel.RAISE,
    )  # fmt: skip


def laid_out(statement: sa.Executable) -> str:
    """A Core statement, every value inline, laid out."""
    return pretty(literal_sql(statement))  # type: ignore[arg-type]


def indented(sql: str, depth: int) -> str:
    """``sql`` moved right by ``depth`` levels, to sit inside a DO block or a CREATE."""
    pad = " " * (INDENT * depth)
    return "\n".join(pad + line if line else line for line in sql.splitlines())


def quoted(text: str, depth: int, width: int = 72) -> str:
    """``text`` as an SQL string literal, cut into ``'…' || '…'`` pieces of at most ``width``
    characters on lines ``depth`` levels in, so that a long message reads without scrolling."""
    pieces = textwrap.wrap(
        text,
        width,
        drop_whitespace=False,
        break_on_hyphens=False,
        expand_tabs=False,
        replace_whitespace=False,
    )  # every character kept
    joint = f"\n{' ' * (INDENT * depth)}|| "
    return joint.join("'{}'".format(piece.replace("'", "''")) for piece in pieces)


def listed(values: Sequence[str], depth: int, width: int = 88) -> str:
    """``values`` as SQL string literals separated by commas, on lines ``depth`` levels in
    of at most ``width`` characters: a long list (columns, revision ids) reads down the page."""
    literals = ", ".join("'{}'".format(value.replace("'", "''")) for value in values)
    pad = " " * (INDENT * depth)
    lines = textwrap.wrap(literals, width, break_long_words=False, break_on_hyphens=False)
    return "\n".join(pad + line for line in lines)


class Step(Executable, ClauseElement):
    """One statement of a data revision, with the comment an operator reads above it.

    ``name`` is what the run log calls the step. A step laid out from a Core statement keeps
    it as ``source``, after ``before`` (such as ``CREATE TEMPORARY TABLE … AS``)."""

    inherit_cache = False  # built once per run; nothing to gain from the compiled cache

    def __init__(
        self, name: str, what: str, sql: str, source: Any = None, before: str = ""
    ) -> None:
        if "\n" in what:
            raise ValueError("a step's comment is one line")
        self.name, self.what, self.sql = name, what, sql
        self.source, self.before = source, before

    @property
    def text(self) -> str:
        return f"-- {self.what}\n{self.sql}"

    @property
    def writes(self) -> sa.Insert | sa.Update | None:
        """The INSERT or UPDATE it was laid out from (row counting reads its table)."""
        return self.source if isinstance(self.source, sa.Insert | sa.Update) else None


@compiles(Step)
def _verbatim(step: Step, compiler: Any, **_: Any) -> str:
    # Only what the driver needs (psycopg's %% for a literal %); no bind parameters parsed.
    return str(compiler.post_process_text(step.text))


def step(name: str, what: str, statement: sa.Executable, before: str = "") -> Step:
    """``statement`` laid out under ``-- NAME: WHAT``, after ``before`` if given."""
    sql = laid_out(statement)
    return Step(name, f"{name}: {what}", f"{before}\n{sql}" if before else sql, statement, before)


def plain(name: str, what: str, sql: str) -> Step:
    """A statement short enough to read as written (DDL, ANALYZE, a DO block)."""
    return Step(name, f"{name}: {what}", sql)


def analyzed(
    name: str, what: str, tables: Sequence[sa.TableClause], skip_locked: bool = False
) -> Step:
    """``ANALYZE`` of ``tables``, one per line; ``skip_locked``: a table another session
    holds (autovacuum) is skipped, not waited for."""
    names = ",\n".join(f"{' ' * INDENT}{table.schema}.{table.name}" for table in tables)
    return plain(name, what, f"ANALYZE{' (SKIP_LOCKED)' if skip_locked else ''}\n{names}")
