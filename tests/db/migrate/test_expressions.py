"""db/migrate/expressions.py, evaluated by a real PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from db.migrate.expressions import blank, field, literal_sql, name_field, text_or_null


def evaluate(engine: sa.Engine, expression: sa.ColumnElement[Any]) -> Any:
    with engine.connect() as connection:
        return connection.scalar(sa.text(literal_sql(sa.select(expression))))


def document(value: Any) -> sa.ColumnElement[Any]:
    return sa.cast(sa.literal(json.dumps(value)), JSONB)


@pytest.mark.parametrize(
    ("value", "as_field", "as_name"),
    [({"a": {"b": "x"}}, "x", "x"), ({"a": {"b": 7}}, "7", None), ({"a": {"b": [1]}}, "[1]", None),
     ({"a": {"b": None}}, None, None), ({"a": "flat"}, None, None), ([1, 2], None, None),
     ("text", None, None), ({"a": {"b": ""}}, "", "")],
)  # fmt: skip
def test_fields_never_raise_and_only_strings_are_names(
    engine: sa.Engine, value: Any, as_field: str | None, as_name: str | None
) -> None:
    assert evaluate(engine, field(document(value), "a", "b")) == as_field
    assert evaluate(engine, name_field(document(value), "a", "b")) == as_name


@pytest.mark.parametrize(
    ("text", "is_blank", "kept"),
    [(None, True, None), ("", True, None), (" \t\n", True, None), (" x ", False, " x "),
     ("abcdef", False, "abc")],
)  # fmt: skip
def test_blank_text_is_unknown_and_the_rest_fits(
    engine: sa.Engine, text: str | None, is_blank: bool, kept: str | None
) -> None:
    value = sa.cast(sa.null() if text is None else sa.literal(text), sa.Text)
    assert evaluate(engine, blank(value)) is is_blank
    assert evaluate(engine, text_or_null(value, 3)) == kept


def test_literal_sql_binds_nothing() -> None:
    rendered = literal_sql(sa.select(field(document({"k": "it's"}), "k")))
    assert rendered == """SELECT CAST('{"k": "it''s"}' AS JSONB) ->> 'k' AS anon_1"""
