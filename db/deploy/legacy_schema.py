"""Finding the schema that holds a deployment's legacy tables, online, before any revision
runs (env.py), and for ``aria-verify``; and checking a schema name an operator gives."""

from __future__ import annotations

import re
from collections.abc import Mapping

import sqlalchemy as sa
from alembic.util import CommandError

from db.migrate.eras import CANDIDATES, DEFAULT, TABLES, X_OPTION

# Lower case only: the name is written into the SQL unquoted, where PostgreSQL folds case.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# PostgreSQL's NAMEDATALEN - 1: a longer name is cut short, silently, to another schema's.
LONGEST_NAME = 63


class AmbiguousLegacySchemaError(Exception):
    """Both eras' legacy tables hold rows; the operator must say which to migrate."""


def checked_name(name: str) -> str:
    """``name``, if it is a schema name this project writes into SQL as it is."""
    name = name.strip()
    if not _IDENTIFIER.match(name):
        raise ValueError(f"a schema name in lower case (letters, digits, _); got {name!r}")
    if len(name) > LONGEST_NAME:  # ASCII only: characters are bytes
        raise ValueError(
            f"a schema name of at most {LONGEST_NAME} bytes (PostgreSQL would cut it short); "
            f"got {len(name)}"
        )
    return name


def named_schema(x: Mapping[str, str]) -> str | None:
    """The schema ``-x legacy_schema`` names, checked as an identifier; None if not given."""
    if X_OPTION not in x:
        return None
    try:
        return checked_name(x[X_OPTION])
    except ValueError as error:
        raise CommandError(f"-x {X_OPTION} must be {error}") from None


def _holds_rows(connection: sa.Connection, schema: str) -> bool | None:
    """True if the schema's legacy tables hold a row, False if empty, None if absent."""
    found = None
    for table in TABLES:
        qualified = f"{schema}.{table}"
        if connection.scalar(sa.select(sa.func.to_regclass(qualified))) is not None:
            found = bool(found) or bool(
                connection.scalar(sa.text(f"SELECT EXISTS (SELECT 1 FROM {qualified})"))
            )
    return found


def find_legacy_schema(connection: sa.Connection) -> str:
    """The schema whose legacy tables hold rows; with none holding rows, the newest era
    that has the tables, else ``public`` (where the baseline then builds them)."""
    held = {schema: _holds_rows(connection, schema) for schema in CANDIDATES}
    with_rows = [schema for schema, rows in held.items() if rows]
    if len(with_rows) > 1:
        options = " or ".join(f"-x {X_OPTION}={schema}" for schema in with_rows)
        raise AmbiguousLegacySchemaError(
            f"legacy rows in both {' and '.join(with_rows)} (agent_sessions / "
            f"session_messages): name the ones to migrate with {options}"
        )
    if with_rows:
        return with_rows[0]
    with_tables = [schema for schema, rows in held.items() if rows is not None]
    return with_tables[-1] if with_tables else DEFAULT
