"""Where a deployment keeps its legacy OpenClaw tables, and the guard that checks it.

Aria kept ``agent_sessions`` / ``session_messages`` in ``public`` until 2026-02-21, and in
``aria_data`` from then on, when the application dropped the ``public`` copies. Online,
the run looks for them (``find_legacy_schema``); ``-x legacy_schema=NAME`` names them, and
``--sql`` prints for ``public`` unless told otherwise. Whatever the schema, the revisions
first send ``guard(schema)``: it stops the run, in one line, when that schema holds no
legacy row while the other era's does, so a script printed for one era and applied to the
other fails instead of building an empty pair of tables and migrating nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sqlalchemy as sa
from alembic import context
from alembic.util import CommandError

# The two eras, oldest first.
CANDIDATES = ("public", "aria_data")
DEFAULT = "public"
TABLES = ("agent_sessions", "session_messages")
X_OPTION = "legacy_schema"
# Lower case only: the name is written into the SQL unquoted, where PostgreSQL folds case.
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class AmbiguousLegacySchemaError(Exception):
    """Both eras' legacy tables hold rows; the operator must say which to migrate."""


def checked_name(name: str) -> str:
    """``name``, if it is a schema name this project writes into SQL as it is."""
    if not _IDENTIFIER.match(name.strip()):
        raise ValueError(f"a schema name in lower case (letters, digits, _); got {name!r}")
    return name.strip()


def named_schema(x: Mapping[str, str]) -> str | None:
    """The schema ``-x legacy_schema`` names, checked as an identifier; None if not given."""
    if X_OPTION not in x:
        return None
    try:
        return checked_name(x[X_OPTION])
    except ValueError as error:
        raise CommandError(f"-x {X_OPTION} must be {error}") from None


def legacy_schema() -> str:
    """The schema this run reads the legacy tables from, as env.py settled it."""
    return str(context.config.attributes.get(X_OPTION, DEFAULT))


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


def _rows_found(schema: str, then: str) -> str:
    """PL/pgSQL: run ``then`` if ``schema``'s legacy tables hold a row. Nested IFs, since a
    statement naming a missing table fails when PL/pgSQL prepares it, not when it runs."""
    checks = [
        f"""    IF pg_catalog.to_regclass('{schema}.{table}') IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM {schema}.{table}) THEN
            {then}
        END IF;
    END IF;"""
        for table in TABLES
    ]
    return "\n".join(checks)


def guard(schema: str) -> sa.TextClause:
    """Stop, in one line, when ``schema`` holds no legacy row but another era's tables do."""
    others = [other for other in CANDIDATES if other != schema]
    found_elsewhere = "\n".join(
        _rows_found(other, f"elsewhere := coalesce(elsewhere, '{other}');") for other in others
    )
    return sa.text(
        f"""DO $legacy$
DECLARE
    elsewhere text;
BEGIN
{_rows_found(schema, "RETURN;")}
{found_elsewhere}
    IF elsewhere IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = 'no legacy row in {schema}.agent_sessions or '
            || '{schema}.session_messages, but ' || elsewhere || ' holds some: run again with '
            || '-x {X_OPTION}=' || elsewhere || '; nothing was changed';
    END IF;
END
$legacy$"""
    )
