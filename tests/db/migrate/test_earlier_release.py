"""db/migrate/earlier_release.py: an earlier release's rows, recognised by their envelope,
moved to the archive in one statement and recorded once."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from db.migrate.earlier_release import moved_to_archive, record_found
from db.migrate.expressions import lit

SETUP = """
CREATE TABLE public.live (id uuid PRIMARY KEY, metadata jsonb, n int);
CREATE TABLE public.archive (LIKE public.live INCLUDING ALL, archived_at timestamptz NOT NULL);
CREATE TABLE public.kept (id uuid PRIMARY KEY, run bigint NOT NULL, earlier_release boolean);
"""


def _table(name: str, archived: bool = False) -> sa.TableClause:
    extra = [sa.column("archived_at", sa.DateTime(timezone=True))] if archived else []
    return sa.table(name, sa.column("id", sa.Uuid), sa.column("metadata", sa.JSON),
                    sa.column("n", sa.Integer), *extra, schema="public")  # fmt: skip


live, archive = _table("live"), _table("archive", archived=True)
kept = sa.table("kept", sa.column("id", sa.Uuid), sa.column("run", sa.BigInteger),
                sa.column("earlier_release", sa.Boolean), schema="public")  # fmt: skip
OURS = '{"migrated_from": "legacy"}'


def _ids(connection: sa.Connection, table: str) -> set[uuid.UUID]:
    return set(connection.exec_driver_sql(f"SELECT id FROM public.{table}").scalars())


def test_matching_rows_move_whole_and_the_rest_stay(engine: sa.Engine) -> None:
    a, b, c, d = (uuid.uuid4() for _ in range(4))
    with engine.begin() as connection:
        connection.exec_driver_sql(SETUP)
        connection.exec_driver_sql(
            f"INSERT INTO public.live VALUES ('{a}', '{OURS}', 0), ('{b}', '{OURS}', 5), "
            f"('{c}', '{{}}', 0), ('{d}', '{OURS}', 0);"
            f"INSERT INTO public.archive VALUES ('{d}', '{{}}', 9, now())"
        )
        connection.execute(moved_to_archive(live, archive, live.c.n == lit(0),
                                            live.c.metadata["migrated_from"].as_string()
                                            == lit("legacy")))  # fmt: skip
        stayed, archived = _ids(connection, "live"), _ids(connection, "archive")
        kept_copy = connection.exec_driver_sql(f"SELECT n FROM public.archive WHERE id = '{d}'")
        moved = connection.exec_driver_sql(
            f"SELECT n, metadata, archived_at = now() FROM public.archive WHERE id = '{a}'"
        ).one()
        d_n = kept_copy.scalar()
    assert stayed == {b, c}
    assert archived == {a, d}
    assert tuple(moved) == (0, {"migrated_from": "legacy"}, True)
    assert d_n == 9  # the archive's own copy stays as it was


def test_found_rows_are_recorded_once_as_an_earlier_releases(engine: sa.Engine) -> None:
    a, b, c, d = (uuid.uuid4() for _ in range(4))
    with engine.begin() as connection:
        connection.exec_driver_sql(SETUP)
        connection.exec_driver_sql(
            f"INSERT INTO public.live VALUES ('{a}', '{OURS}', 0), ('{c}', '{{}}', 0);"
            f"INSERT INTO public.archive VALUES ('{b}', '{OURS}', 0, now()),"
            f" ('{d}', '{OURS}', 0, now());"
            f"INSERT INTO public.kept VALUES ('{d}', 1, false)"
        )
        for run in (2, 3):
            connection.execute(record_found((live, archive), kept, "legacy", lit(run)))
        record = set(connection.exec_driver_sql("SELECT id, run, earlier_release FROM public.kept"))
    assert record == {(a, 2, True), (b, 2, True), (d, 1, False)}
