"""The two eras of the legacy OpenClaw tables, the schema this run reads, and its guard.

Aria kept ``agent_sessions`` / ``session_messages`` in ``public`` until 2026-02-21, and in
``aria_data`` from then on, when the application dropped the ``public`` copies. Online,
env.py looks for them (``db/deploy/legacy_schema.py``); ``-x legacy_schema=NAME`` names them, and
``--sql`` prints for ``public`` unless told otherwise. Whatever the schema, the revisions
first send ``guard(schema)``: it stops the run, in one line, when that schema holds no
legacy row while the other era's does, so a script printed for one era and applied to the
other fails instead of building an empty pair of tables and migrating nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

# The two eras, oldest first.
CANDIDATES = ("public", "aria_data")
DEFAULT = "public"
TABLES = ("agent_sessions", "session_messages")
X_OPTION = "legacy_schema"


def legacy_schema() -> str:
    """The schema this run reads the legacy tables from, as env.py settled it."""
    return str(context.config.attributes.get(X_OPTION, DEFAULT))


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
