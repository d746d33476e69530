"""SQL expressions the data revisions build their statements from: JSON fields read without
ever raising, blank text, and SQL rendered with every value inline.

Generic: nothing here knows a table. Every constant goes into the SQL text (``lit``), so
that what runs online is byte for byte what ``--sql`` prints.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.base import PGDialect


def lit(value: Any) -> sa.BindParameter[Any]:
    """A constant rendered into the SQL text, online as offline: nothing is ever bound."""
    return sa.literal(value, literal_execute=True)


def literal_sql(query: sa.ClauseElement) -> str:
    """``query`` as PostgreSQL SQL with every value inline, to embed in a larger statement."""
    # Named: the paramstyle that doubles no % (a modulo, a LIKE pattern stay as written).
    dialect = PGDialect(paramstyle="named")  # type: ignore[no-untyped-call]  # untyped
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def field(document: sa.ColumnElement[Any], *path: str) -> sa.ColumnElement[Any]:
    """``document -> path[0] -> … ->> path[-1]``: text, NULL (never an error) whatever the
    JSON holds. Operators, not jsonb subscripts, which PostgreSQL 13 lacks."""
    for key in path[:-1]:
        document = document.op("->", return_type=JSONB)(lit(key))
    return document.op("->>", return_type=sa.Text)(lit(path[-1]))


def name_field(document: sa.ColumnElement[Any], *path: str) -> sa.ColumnElement[Any]:
    """Like ``field``, but only a JSON string is a name: an object, array, number, boolean
    or null there counts as absent, so that the next fallback applies."""
    node = document
    for key in path:
        node = node.op("->", return_type=JSONB)(lit(key))
    return sa.case((sa.func.jsonb_typeof(node) == lit("string"), field(document, *path)))


def blank(value: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """NULL, empty, or white space only."""
    return sa.func.coalesce(value, lit("")).regexp_match(lit("^[[:space:]]*$"))


def text_or_null(value: sa.ColumnElement[Any], limit: int) -> sa.ColumnElement[Any]:
    """A text value cut to its column's width; blank means unknown (NULL)."""
    return sa.case((blank(value), sa.null()), else_=sa.func.left(value, lit(limit)))
