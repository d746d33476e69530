"""db/migrate/run.py, on a toy carry (numbers doubled into a target, each batch committed):
``--sql`` is the one transaction in order; online, a small run is one transaction whose
failed proof commits nothing; batches commit as they go, analyze what they grow, and
leave the revision to a final proof that sees them all."""

from __future__ import annotations

import io
import logging
from argparse import Namespace
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory

from db.migrate.batches import Batch, within
from db.migrate.expressions import lit
from db.migrate.layout import Step, plain, step
from db.migrate.plan import PlanTable
from db.migrate.proof import proof
from db.migrate.run import Carry, in_one_transaction, run
from tests.support.commands import ALEMBIC_INI

log = logging.getLogger("alembic.toy")
source = sa.table("source", sa.column("n", sa.Integer), schema="public")
target = sa.table("target", sa.column("n", sa.Integer), sa.column("doubled", sa.Integer),
                  sa.column("run", sa.Integer), schema="public")  # fmt: skip
runs = sa.table("runs", sa.column("run", sa.Integer), schema="public")
todo = sa.table("todo", sa.column("n", sa.Integer), schema="pg_temp")
TABLES = """
CREATE TABLE public.source (n int PRIMARY KEY);
CREATE TABLE public.target (n int PRIMARY KEY, doubled int NOT NULL, run int NOT NULL);
CREATE TABLE public.runs (run serial PRIMARY KEY);
"""
GUARD = plain("guard", "the toy's guard", "SELECT 'guarded'")


def not_moved() -> sa.ColumnElement[bool]:
    return ~sa.exists().where(target.c.n == source.c.n)


def toy(reports: list[tuple[int, int]], lose: int = 0) -> Carry:
    """Numbers of ``source`` not in ``target`` yet, doubled into it; the proof fails when
    ``lose`` of the planned rows are not in ``target`` (it looks for ``n + lose``)."""

    def writes(batch: Batch | None, number: Any, _late: bool) -> Sequence[Step]:
        this_run = sa.select(sa.func.max(runs.c.run)).scalar_subquery()
        rows = sa.select(todo.c.n, todo.c.n * lit(2), this_run if number is None else number)
        rows = rows.where(*within(batch, todo.c.n))
        return [step("doubled", "numbers, doubled", sa.insert(target).from_select(
            ["n", "doubled", "run"], rows))]  # fmt: skip

    def proven(_batched: bool) -> Step:
        lost = sa.select(sa.func.count().label("lost")).select_from(todo).where(
            ~sa.exists().where(target.c.n == todo.c.n + lit(lose)))  # fmt: skip
        return proof(lost, "toy: {lost} lost", "toy: nothing read", todo, "nothing lost")

    def counted(limit: int) -> sa.Select[Any]:
        left = sa.select(source.c.n).where(not_moved()).limit(lit(limit + 1)).subquery()
        return sa.select(sa.select(sa.func.count()).select_from(left).scalar_subquery(), lit(0))

    return Carry(
        name="TOY", log=log,
        start=[plain("run", "a run", "INSERT INTO public.runs DEFAULT VALUES")],
        read=plain("run", "what it reads", "SELECT 'read'"),
        plan=[PlanTable(todo, sa.select(source.c.n).where(not_moved()), "n", "numbers left")],
        walked=todo.c.n, walked_what="numbers", writes=writes, proof=proven, to_carry=counted,
        run_number=sa.select(sa.func.max(runs.c.run)).scalar_subquery(),
        any_late=sa.exists().where(todo.c.n < lit(0)), adopted_into=(runs,), written_into=(target,),
        grows=(target,),
        report=lambda _c, written, _f: reports.append(
            (written.inserted["target"], written.updated["target"])),
    )  # fmt: skip


@contextmanager
def revision_context(
    x: Sequence[str], connection: sa.Connection | None = None, buffer: io.StringIO | None = None
) -> Iterator[None]:
    """What a revision's ``upgrade`` runs inside: Alembic's context and ``op``, online on
    ``connection`` or, without one, printing ``--sql`` into ``buffer``."""
    config = Config(str(ALEMBIC_INI), cmd_opts=Namespace(x=list(x)))
    env = EnvironmentContext(config, ScriptDirectory.from_config(config), as_sql=buffer is not None)
    with env:
        if connection is None:
            env.configure(url="postgresql://", output_buffer=buffer, literal_binds=True,
                          dialect_opts={"paramstyle": "named"})  # fmt: skip
        else:
            env.configure(connection=connection)
        with env.begin_transaction(), Operations.context(env.get_context()):
            yield


@pytest.fixture
def numbers(engine: sa.Engine) -> sa.Engine:
    with engine.begin() as connection:
        connection.exec_driver_sql(TABLES)
        connection.exec_driver_sql("INSERT INTO public.source SELECT generate_series(1, 7)")
    return engine


def carried(engine: sa.Engine, carry: Carry, *x: str) -> None:
    with engine.connect() as connection, revision_context(x, connection):
        run(carry, GUARD)


def target_rows(engine: sa.Engine) -> list[tuple[int, int, int]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.select(target).order_by(target.c.n))]


def test_sql_is_the_one_transaction_in_order() -> None:
    buffer = io.StringIO()
    with revision_context(["batch_size=2"], buffer=buffer):
        run(toy([]), GUARD)
    script = buffer.getvalue()
    order = ["SET LOCAL lock_timeout", "SELECT 'guarded'", "-- run: a run",
             "-- run: what it reads", "-- plan: numbers left", "-- doubled: numbers, doubled",
             "-- proof: nothing lost"]  # fmt: skip
    found = [script.find(marker) for marker in order]
    assert -1 not in found, found
    assert found == sorted(found)
    assert "SKIP_LOCKED" not in script  # batches are online only
    assert "DROP TABLE" not in script
    steps = [s.text for s in in_one_transaction(toy([]))]
    assert all(text in script for text in steps)


def test_a_small_run_is_one_transaction_and_a_failed_proof_commits_nothing(
    numbers: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="alembic.toy")
    with pytest.raises(sa.exc.DBAPIError, match="toy: 1 lost"):
        carried(numbers, toy([], lose=1))
    assert target_rows(numbers) == []
    reports: list[tuple[int, int]] = []
    carried(numbers, toy(reports))
    assert target_rows(numbers) == [(n, 2 * n, 2) for n in range(1, 8)]
    assert reports == [(7, 0)]
    assert "TOY: one transaction: 7 session(s)" in caplog.text


def test_batches_commit_as_they_go_and_the_proof_sees_them_all(
    numbers: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="alembic.toy")
    with pytest.raises(sa.exc.DBAPIError, match="toy: 1 lost"):
        carried(numbers, toy([], lose=1), "batch_size=2")
    assert target_rows(numbers) == [(n, 2 * n, 1) for n in range(1, 8)]  # committed batches
    assert "TOY: batches of 2, as asked" in caplog.text
    assert caplog.text.count("TOY numbers: ") == 4  # 2 + 2 + 2 + 1
    with numbers.connect() as connection:
        counted = connection.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE oid = 'public.target'::regclass"
        ).scalar()
    assert counted == 7  # analyzed after batches 1, 2 and 4: the last saw every row


def test_batches_write_under_the_run_they_committed_and_drop_their_plan(
    numbers: sa.Engine,
) -> None:
    reports: list[tuple[int, int]] = []
    with numbers.connect() as connection:  # the plan is temporary: asked on the run's session
        with revision_context(["batch_size=3"], connection):
            run(toy(reports), GUARD)
        plan = connection.exec_driver_sql("SELECT pg_catalog.to_regclass('pg_temp.todo')").scalar()
    assert plan is None
    assert target_rows(numbers) == [(n, 2 * n, 1) for n in range(1, 8)]
    assert reports == [(7, 0)]
    carried(numbers, toy(reports), "batch_size=3")  # nothing left: a run, and no row
    assert reports == [(7, 0), (0, 0)]
