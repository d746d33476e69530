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

from collections.abc import Collection

import sqlalchemy as sa

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
    listed = ", ".join(f"'{revision}'" for revision in sorted(ours))
    return sa.text(
        f"""DO $version$
BEGIN
    IF pg_catalog.to_regclass('{SHARED}') IS NOT NULL THEN
        DELETE FROM {SHARED} WHERE version_num IN ({listed});
    END IF;
END
$version$"""
    )
