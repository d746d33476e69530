"""db/migrate/plan.py: the plan lasts one transaction, or outlives a batched run's commits
with the keys and indexes its batches use, and is analyzed either way."""

from __future__ import annotations

import sqlalchemy as sa

from db.migrate.expressions import lit
from db.migrate.plan import PlanTable, dropped, planned

numbers = sa.table("numbers", sa.column("n", sa.Integer), sa.column("odd", sa.Boolean),
                   schema="pg_temp")  # fmt: skip
counts = sa.table("counts", sa.column("odd", sa.Boolean), sa.column("times", sa.Integer),
                  schema="pg_temp")  # fmt: skip
series = sa.func.generate_series(lit(1), lit(10)).table_valued("n").render_derived("series")
TABLES = [
    PlanTable(numbers, sa.select(series.c.n, (series.c.n % lit(2) == lit(1)).label("odd")), "n",
              "ten numbers", looked_up_by=("odd",)),
    PlanTable(counts, sa.select(numbers.c.odd, sa.func.count().label("times"))
              .group_by(numbers.c.odd), "odd", "how many of each"),
]  # fmt: skip
CATALOG = """
SELECT c.relname, c.reltuples, c.relpersistence,
       (SELECT array_agg(pg_get_indexdef(i.indexrelid) ORDER BY 1) FROM pg_index i
        WHERE i.indrelid = c.oid) AS indexes
FROM pg_class c WHERE c.relname IN ('numbers', 'counts') AND c.relkind = 'r'
  AND c.relnamespace = pg_my_temp_schema() ORDER BY c.relname
"""


def test_in_one_transaction_the_plan_goes_with_the_commit(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        with connection.begin():
            for statement in planned(TABLES, batched=False):
                connection.execute(statement)
            found = connection.exec_driver_sql(CATALOG).all()
            times = dict(connection.execute(sa.select(counts)).all())
        after = connection.exec_driver_sql(CATALOG).all()
    assert [(row.relname, row.reltuples, row.indexes) for row in found] == [
        ("counts", 2, None),
        ("numbers", 10, None),
    ]  # analyzed: the planner knows the rows
    assert times == {True: 5, False: 5}
    assert after == []


def test_in_batches_the_plan_outlives_commits_keyed_and_indexed_until_dropped(
    engine: sa.Engine,
) -> None:
    with engine.connect() as connection:
        for statement in planned(TABLES, batched=True):
            with connection.begin():
                connection.execute(statement)
        with connection.begin():
            found = {row.relname: (row.reltuples, row.indexes) for row in
                     connection.exec_driver_sql(CATALOG)}  # fmt: skip
        for statement in dropped(TABLES):
            with connection.begin():
                connection.execute(statement)
        after = connection.exec_driver_sql(CATALOG).all()
    assert found["numbers"][0] == 10
    assert found["counts"][0] == 2
    assert [index.split(" USING ")[1] for index in found["numbers"][1]] == [
        "btree (n)", "btree (odd)"
    ]  # fmt: skip
    assert [index.split(" USING ")[1] for index in found["counts"][1]] == ["btree (odd)"]
    assert after == []


def test_each_statement_says_its_step() -> None:
    said = [statement.text.splitlines()[0] for statement in planned(TABLES, batched=True)]
    assert said[0] == "-- plan: ten numbers"
    assert all(line.startswith("-- plan: ") for line in said)
