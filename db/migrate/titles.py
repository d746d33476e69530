"""A chat's title as the Aria engine makes one from its first user message, in SQL.

The engine (its chat engine and its streaming path alike) takes the message, turns every run
of white space, line breaks included, into one space, drops it at both ends, and cuts a
title longer than 80 characters to its first 77 and ``...``. "White space" is Python's
``str.split()``: the characters below. They are named here, not left to ``[[:space:]]``,
whose meaning beyond ASCII depends on the database's locale.

Generic: nothing here knows a table.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from db.migrate.expressions import lit

LONGEST, KEPT, ELLIPSIS = 80, 77, "..."
# Python's white space (str.isspace), as the regular expression's own escapes: readable in
# the printed SQL, and the same pattern whatever standard_conforming_strings says (off, the
# string's escapes make the characters; on, the pattern's do).
_WHITE_SPACE = (
    r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
RUN_OF_WHITE_SPACE = sa.literal_column(f"'[{_WHITE_SPACE}]+'", sa.Text)
SOMETHING_BUT_WHITE_SPACE = sa.literal_column(f"'[^{_WHITE_SPACE}]'", sa.Text)


def has_text(content: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """``content`` holds something besides white space: a title can be made of it."""
    return content.regexp_match(SOMETHING_BUT_WHITE_SPACE)


def collapsed(content: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``content`` with each run of white space one space, and none at either end."""
    spaced = sa.func.regexp_replace(content, RUN_OF_WHITE_SPACE, lit(" "), lit("g"))
    # One space at most is left at either end. Not btrim: the layout would print it as trim(),
    # which PostgreSQL reads as the same call but names otherwise in its plans.
    return sa.func.regexp_replace(spaced, lit("^ | $"), lit(""), lit("g"))


def cut(text: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A ``collapsed`` text as a title: past 80 characters, its first 77 and ``...``."""
    return sa.case(
        (sa.func.length(text) > lit(LONGEST), sa.func.left(text, lit(KEPT)) + lit(ELLIPSIS)),
        else_=text,
    )


def engine_title(content: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The title the engine makes of ``content`` (``cut`` of ``collapsed``)."""
    return cut(collapsed(content))
