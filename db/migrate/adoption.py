"""SQL that lets a revision adopt tables a live database already has, and refuse to lose any.

Production databases were built by old init scripts (legacy tables) and the engine's own
bootstrap (engine tables) long before Alembic arrived. The schema revisions therefore create
what is missing, check what exists, and never alter or recreate it. Each helper returns one
plain PL/pgSQL ``DO`` block, so the check runs in the database itself: the same SQL online
and in the ``--sql`` script applied with psql. Names passed in are the revisions' own
constants, never input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.base import PGDialect

from db.migrate.layout import listed


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def require_columns(table: str, columns: Sequence[str]) -> sa.TextClause:
    """Fail, naming the table and the missing columns, if ``table`` lacks any of ``columns``."""
    return sa.text(
        f"""DO $adopt$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(wanted.name, ', ' ORDER BY wanted.position) INTO missing
    FROM unnest(ARRAY[
{listed(columns, 2)}
    ]::text[]) WITH ORDINALITY AS wanted(name, position)
    WHERE NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_attribute AS a
        WHERE a.attrelid = {_sql_literal(table)}::regclass
          AND a.attname = wanted.name AND a.attnum > 0 AND NOT a.attisdropped
    );
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = 'existing table {table} lacks column(s) this project '
            || 'relies on: ' || missing || '; it was left unchanged, add them and run again';
    END IF;
END
$adopt$"""
    )


class _ChosenInTheDatabase(sa.types.UserDefinedType[Any]):
    """A column type left as ``%s`` in the DDL, for ``format()`` to fill in."""

    cache_ok = True

    def get_col_spec(self, **_: Any) -> str:
        return "%s"


# pgvector's type, qualified with the schema its extension lives in; jsonb where it has none.
EMBEDDING_TYPE = """coalesce(
        (SELECT format('%I.vector(1536)', n.nspname)
         FROM pg_catalog.pg_extension AS e
         JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
         WHERE e.extname = 'vector'),
        'jsonb')"""


def create_table_with_embedding(table: sa.Table) -> sa.TextClause:
    """``CREATE TABLE IF NOT EXISTS`` for ``table``, its ``embedding`` column made
    ``vector(1536)`` where the database has pgvector, else ``jsonb``, as the application's
    models choose: decided in the database, so that the printed script decides the same way
    where it is applied."""
    copies = sa.MetaData()  # with the tables its foreign keys name
    for other in table.metadata.sorted_tables:
        other.to_metadata(copies)
    chosen = copies.tables[table.key]
    chosen.c.embedding.type = _ChosenInTheDatabase()
    dialect = PGDialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped
    ddl = str(sa.schema.CreateTable(chosen, if_not_exists=True).compile(dialect=dialect)).strip()
    lines = "\n".join(line.rstrip() for line in ddl.replace("\t", "    ").splitlines())
    return sa.text(
        f"""DO $create$
BEGIN
    EXECUTE format($ddl${lines}$ddl$, {EMBEDDING_TYPE});
END
$create$"""
    )


def create_index_unless_covered(
    name: str, table: str, key: str, *, deparsed: str | None = None
) -> sa.TextClause:
    """``CREATE INDEX name ON table (key)``, unless a valid, whole-table btree index on
    ``table`` already leads with the same key, under whatever name: production's init scripts
    made some of ours under their own names, or as the first column of a unique constraint,
    and a second copy costs a table scan under a write-blocking lock during the deploy, then
    a write on every insert forever. A btree serves a key in either direction, so ``x DESC``
    is covered by an index on ``x`` and the other way round. ``deparsed`` is the key as
    PostgreSQL prints it (``pg_get_indexdef(index, 1, true)``, which omits the direction),
    when that differs from ``key`` in more than its direction.

    An index left invalid by a failed ``CREATE INDEX CONCURRENTLY`` serves no query, so it
    covers nothing; one under this very name is dropped first (it holds no data, and
    ``IF NOT EXISTS`` would otherwise keep it), then built again."""
    expected = _sql_literal(deparsed or key.removesuffix(" DESC"))
    qualified = f"{table.split('.')[0]}.{name}"
    return sa.text(
        f"""DO $index$
BEGIN
    IF NOT EXISTS (
        SELECT 1
        FROM pg_catalog.pg_index AS i
        JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
        JOIN pg_catalog.pg_am AS am ON am.oid = c.relam
        WHERE i.indrelid = {_sql_literal(table)}::regclass
          AND i.indisvalid AND i.indpred IS NULL AND am.amname = 'btree'
          AND pg_catalog.pg_get_indexdef(i.indexrelid, 1, true) = {expected}
    ) THEN
        IF EXISTS (
            SELECT 1 FROM pg_catalog.pg_index AS i
            WHERE i.indexrelid = pg_catalog.to_regclass({_sql_literal(qualified)})
              AND NOT i.indisvalid
        ) THEN
            DROP INDEX {qualified};
        END IF;
        CREATE INDEX IF NOT EXISTS {name} ON {table} ({key});
    END IF;
END
$index$"""
    )


def drop_table_if_empty(table: str) -> sa.TextClause:
    """Drop ``table`` only while it holds no row; otherwise refuse and roll back."""
    return sa.text(
        f"""DO $drop$
BEGIN
    IF pg_catalog.to_regclass({_sql_literal(table)}) IS NULL THEN
        RETURN;
    END IF;
    -- Locked first, so no row can arrive between the check and the drop.
    LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE;
    IF EXISTS (SELECT 1 FROM {table}) THEN
        RAISE EXCEPTION USING MESSAGE = 'refusing to drop {table}: it holds rows, and a '
            || 'downgrade never deletes data; move the rows elsewhere first if you mean it';
    END IF;
    DROP TABLE {table};
END
$drop$"""
    )


def drop_schema_if_empty(schema: str) -> sa.TextClause:
    """Drop ``schema`` if nothing else lives in it; otherwise leave it, with a notice."""
    return sa.text(
        f"""DO $drop$
BEGIN
    DROP SCHEMA IF EXISTS {schema};
EXCEPTION WHEN dependent_objects_still_exist THEN
    RAISE NOTICE 'schema {schema} still holds other objects; left in place';
END
$drop$"""
    )
