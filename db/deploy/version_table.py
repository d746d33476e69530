"""This project's Alembic version table, beside the application's own.

The Aria application runs Alembic itself, with its version table at
``public.alembic_version`` (ids such as ``s48_add_aria_engine_tables``). Two Alembic
projects sharing one version table break each other: each stops on the other's ids
("Can't locate revision"). Ours is ``public.alembic_version_aria_migrations``, listed next
to the application's wherever an operator looks (``\\dt public.alembic_version*``).

Earlier releases of this project wrote their ids into ``public.alembic_version``. The next
run carries them over: online they move to our table (so nothing runs again); the ``--sql``
script, which always starts from base and re-runs the revisions (each is idempotent),
removes them. The application's own ids there are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.dml import Delete, Insert, Update

from db.migrate.layout import listed

SCHEMA = "public"
NAME = "alembic_version_aria_migrations"
SHARED = "public.alembic_version"  # the application's; earlier releases of ours wrote here
shared_version = sa.table("alembic_version", sa.column("version_num", sa.String), schema="public")


def version_table() -> sa.Table:
    """The table as Alembic itself creates it (same column, same constraint name)."""
    return sa.Table(
        NAME,
        sa.MetaData(),
        sa.Column("version_num", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("version_num", name=f"{NAME}_pkc"),
        schema=SCHEMA,
    )


# Alembic writes our version table with one-line statements of up to 184 characters; laid
# out with a clause per line, like the data statements, they read in --sql without scrolling.
# The same compiler runs online, so what runs stays byte for byte what is printed.
_CLAUSE = re.compile(r" (SET|VALUES|WHERE|RETURNING) ")


@compiles(Insert, "postgresql")
@compiles(Update, "postgresql")
@compiles(Delete, "postgresql")
def _one_clause_per_line(element: Insert | Update | Delete, compiler: Any, **kw: Any) -> str:
    sql: str = getattr(compiler, f"visit_{element.__visit_name__}")(element, **kw)
    table = element.table
    if (getattr(table, "schema", None), getattr(table, "name", None)) != (SCHEMA, NAME):
        return sql
    return _CLAUSE.sub(lambda clause: f"\n{clause.group(1)} ", sql)


def _in_shared_table(connection: sa.Connection, ours: Collection[str]) -> list[str]:
    readable = connection.scalar(
        sa.text(
            "SELECT pg_catalog.to_regclass(:t) IS NOT NULL "
            "AND pg_catalog.has_table_privilege(:t, 'SELECT, DELETE')"
        ),
        {"t": SHARED},
    )
    if not readable:
        return []
    shared = shared_version
    return list(
        connection.scalars(
            sa.select(shared.c.version_num)
            .where(shared.c.version_num.in_(sorted(ours)))
            .order_by(shared.c.version_num)
        )
    )


def carry_over(connection: sa.Connection, ours: Collection[str]) -> list[str]:
    """Move our ids from the shared table into ours, in the caller's transaction; return
    them (none: nothing to do). An id already in our table is only removed from theirs."""
    found = _in_shared_table(connection, ours)
    if not found:
        return []
    table = version_table()
    table.create(connection, checkfirst=True)
    present = set(connection.scalars(sa.select(table.c.version_num)))
    if not present:
        connection.execute(table.insert(), [{"version_num": v} for v in found])
    connection.execute(sa.delete(shared_version).where(shared_version.c.version_num.in_(found)))
    return found


def forget_in_shared_table(ours: Collection[str]) -> sa.TextClause:
    """For ``--sql`` from base: remove our ids from the shared table if it holds any."""
    return sa.text(
        f"""DO $version$
BEGIN
    IF pg_catalog.to_regclass('{SHARED}') IS NOT NULL THEN
        DELETE FROM {SHARED}
        WHERE version_num IN (
{listed(sorted(ours), 3)}
        );
    END IF;
END
$version$"""
    )


def starts_at(revision: str | None) -> sa.TextClause:
    """For ``--sql``, first in the script: stop, in one line naming the revision the database
    is at, unless it is at ``revision`` (None: base, no revision of ours recorded). A script
    applied twice, or a range script applied to a database elsewhere, then changes nothing."""
    expected = "NULL" if revision is None else f"'{revision}'"
    starting = "base" if revision is None else revision
    return sa.text(
        f"""DO $version$
DECLARE
    at text;
BEGIN
    IF pg_catalog.to_regclass('{SCHEMA}.{NAME}') IS NOT NULL THEN
        SELECT string_agg(version_num, ', ') INTO at FROM {SCHEMA}.{NAME};
    END IF;
    IF at IS DISTINCT FROM {expected} THEN
        RAISE EXCEPTION USING MESSAGE = 'this script starts from {starting}, but the database is '
            || coalesce('at ' || at, 'at base (no revision in {SCHEMA}.{NAME})')
            || ': nothing was changed';
    END IF;
END
$version$"""
    )
