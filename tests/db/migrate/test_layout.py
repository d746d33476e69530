"""db/migrate/layout.py: steps run verbatim on a real PostgreSQL, long strings stay the same
string."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlglot.errors import ParseError

from db.migrate.expressions import lit
from db.migrate.layout import Step, analyzed, laid_out, plain, pretty, quoted, step

AWKWARD = "it's 100% done: :name, %(x)s and ''quotes''\ta tab\na line " + "long " * 40


def test_a_step_runs_verbatim_percent_colon_and_comment_included(engine: sa.Engine) -> None:
    literal = "'" + AWKWARD.replace("'", "''") + "'"
    with engine.connect() as connection:
        ran = connection.execute(plain("check", "a value that looks like parameters",
                                       f"SELECT {literal} AS value")).scalar()  # fmt: skip
        activity = connection.execute(
            plain("who", "what this backend is running", "SELECT query FROM pg_stat_activity "
                  "WHERE pid = pg_backend_pid()")
        ).scalar()  # fmt: skip
    assert ran == AWKWARD
    assert activity.startswith("-- who: what this backend is running\nSELECT query")


def test_quoted_is_the_same_string_cut_into_short_lines(engine: sa.Engine) -> None:
    sql = quoted(AWKWARD, 2)
    assert max(len(line) for line in sql.splitlines()) <= 8 + 3 + 72 + 2 + 10
    assert len(sql.splitlines()) > 1
    with engine.connect() as connection:
        assert connection.execute(plain("q", "quoted", f"SELECT {sql}")).scalar() == AWKWARD


def test_a_step_is_laid_out_one_clause_per_line_and_keeps_its_source() -> None:
    numbers = sa.table("numbers", sa.column("n", sa.Integer), schema="pg_temp")
    query = (
        sa.select(numbers.c.n, sa.func.count().label("times"))
        .where(numbers.c.n > lit(1))
        .group_by(numbers.c.n)
        .order_by(numbers.c.n)
    )
    made = step("count", "how often each number", query, before="CREATE TEMPORARY TABLE t AS")
    assert made.text.splitlines() == [
        "-- count: how often each number",
        "CREATE TEMPORARY TABLE t AS",
        "SELECT",
        "    pg_temp.numbers.n,",
        "    count(*) AS times",
        "FROM pg_temp.numbers",
        "WHERE",
        "    pg_temp.numbers.n > 1",
        "GROUP BY",
        "    pg_temp.numbers.n",
        "ORDER BY",
        "    pg_temp.numbers.n",
    ]
    assert made.source is query
    assert made.writes is None
    assert laid_out(query) == made.sql.partition("\n")[2]


def test_what_cannot_be_read_is_refused_not_printed_half() -> None:
    with pytest.raises(ParseError):
        pretty("SELECT FROM WHERE (")
    with pytest.raises(ValueError, match="one line"):
        Step("s", "two\nlines", "SELECT 1")


@pytest.mark.parametrize(
    ("skip_locked", "first_line"), [(False, "ANALYZE"), (True, "ANALYZE (SKIP_LOCKED)")]
)
def test_analyzed_lists_its_tables_one_per_line_and_runs(
    engine: sa.Engine, skip_locked: bool, first_line: str
) -> None:
    tables = [sa.table(name, schema="public") for name in ("one", "two")]
    analyze = analyzed("stats", "fresh counts", tables, skip_locked=skip_locked)
    assert analyze.text == f"-- stats: fresh counts\n{first_line}\n    public.one,\n    public.two"
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE public.one AS SELECT generate_series(1, 5) AS n")
        connection.exec_driver_sql("CREATE TABLE public.two (n int)")
        connection.execute(analyze)
        counted = connection.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE oid = 'public.one'::regclass"
        ).scalar()
    assert counted == 5
