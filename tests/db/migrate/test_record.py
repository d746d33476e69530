"""db/migrate/record.py: an insert keeps in the record exactly the ids it wrote."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from db.migrate.envelope import envelope, envelope_json
from db.migrate.expressions import lit
from db.migrate.record import carried_into, held

SETUP = """
CREATE TABLE public.source (id uuid PRIMARY KEY, name text, metadata jsonb);
CREATE TABLE public.target (id uuid PRIMARY KEY, name text, metadata jsonb);
CREATE TABLE public.target_archive
    (LIKE public.target INCLUDING ALL, archived_at timestamptz NOT NULL);
CREATE TABLE public.kept (id uuid PRIMARY KEY, run bigint NOT NULL);
"""
source = sa.table("source", sa.column("id", sa.Uuid), sa.column("name", sa.Text),
                  sa.column("metadata", sa.JSON), schema="public")  # fmt: skip
kept = sa.table("kept", sa.column("id", sa.Uuid), sa.column("run", sa.BigInteger), schema="public")


def _target(name: str, archived: bool) -> sa.TableClause:
    extra = [sa.column("archived_at", sa.DateTime(timezone=True))] if archived else []
    return sa.table(name, sa.column("id", sa.Uuid), sa.column("name", sa.Text),
                    sa.column("metadata", sa.JSON), *extra, schema="public")  # fmt: skip


def _carry(connection: sa.Connection, target: sa.TableClause, run: int) -> None:
    metadata = envelope("source", source.c.metadata, name=source.c.name)
    values = {"id": source.c.id, "name": source.c.name, "metadata": envelope_json(metadata)}
    connection.execute(carried_into(target, kept, values, source, metadata, lit(run)))


def test_the_record_holds_what_was_written_and_not_what_was_there(engine: sa.Engine) -> None:
    ids = sorted(uuid.uuid4() for _ in range(4))
    with engine.begin() as connection:
        connection.exec_driver_sql(SETUP)
        rows = [{"id": i, "name": f"n{n}"} for n, i in enumerate(ids)]
        connection.execute(sa.insert(source), rows)
        connection.exec_driver_sql(
            f"INSERT INTO public.target (id, name) VALUES ('{ids[0]}', 'native')"
        )
        _carry(connection, _target("target", archived=False), run=7)
        _carry(connection, _target("target", archived=False), run=8)  # again: nothing new
        rows = connection.exec_driver_sql("SELECT id, name, metadata FROM public.target").all()
        record = connection.exec_driver_sql("SELECT id, run FROM public.kept ORDER BY id").all()
        still_native = connection.scalar(sa.select(held(kept, lit(ids[0]))))
    assert sorted(record) == [(i, 7) for i in ids[1:]]
    assert {row.id: row.name for row in rows}[ids[0]] == "native"
    assert {row.metadata["name"] for row in rows if row.id != ids[0]} == {"n1", "n2", "n3"}
    assert still_native is False


def test_into_an_archive_table_each_row_is_archived_now(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(SETUP)
        connection.execute(sa.insert(source), [{"id": uuid.uuid4(), "name": "a"}])
        _carry(connection, _target("target_archive", archived=True), run=1)
        archived = connection.exec_driver_sql(
            "SELECT archived_at = now() FROM public.target_archive"
        ).scalar()
        recorded = connection.exec_driver_sql("SELECT count(*) FROM public.kept").scalar()
    assert (archived, recorded) == (True, 1)
