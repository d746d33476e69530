"""db/migrate/batches.py: keyset ranges, one transaction per batch, progress lines, row counts."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from db.migrate.batches import (
    Progress,
    RowsWritten,
    analyzed_after,
    committed,
    keyset_batches,
    within,
)

numbers = sa.table("numbers", sa.column("n", sa.Integer), schema="public")


@pytest.fixture
def table(engine: sa.Engine) -> sa.Engine:
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE public.numbers (n int PRIMARY KEY)"))
    return engine


def fill(engine: sa.Engine, count: int) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO public.numbers SELECT generate_series(1, :c)"),
                           {"c": count})  # fmt: skip


@pytest.mark.parametrize(("count", "size"), [(10, 3), (9, 3), (1, 5), (0, 4)])
def test_keyset_batches_hold_each_key_once(table: sa.Engine, count: int, size: int) -> None:
    fill(table, count)
    with table.connect() as connection:
        batches = list(keyset_batches(connection, numbers.c.n, size))
        seen = [
            list(connection.scalars(sa.select(numbers.c.n).where(*within(b, numbers.c.n))))
            for b in batches
        ]
    assert sorted(n for batch in seen for n in batch) == list(range(1, count + 1))
    assert [len(batch) for batch in seen] == [min(size, count - i) for i in range(0, count, size)]
    assert all(batch == sorted(batch) for batch in seen)


def test_within_no_batch_is_no_condition() -> None:
    assert within(None, numbers.c.n) == []
    assert len(within((None, 5), numbers.c.n)) == 1
    assert len(within((5, 9), numbers.c.n)) == 2


def test_a_committed_block_is_one_transaction(table: sa.Engine) -> None:
    with table.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        with committed(connection):
            connection.execute(sa.text("INSERT INTO public.numbers VALUES (1)"))
            connection.execute(sa.text("INSERT INTO public.numbers VALUES (2)"))

        def clash() -> None:
            with committed(connection):
                connection.execute(sa.text("INSERT INTO public.numbers VALUES (3)"))
                connection.execute(sa.text("INSERT INTO public.numbers VALUES (1)"))

        with pytest.raises(sa.exc.IntegrityError):
            clash()
        left = list(connection.scalars(sa.text("SELECT n FROM public.numbers ORDER BY n")))
    assert left == [1, 2]  # 3 went back with the failed block


def test_progress_never_says_done_before_the_end(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.progress")
    progress = Progress(log, "rows", 2_000_003)
    with caplog.at_level(logging.INFO, logger="test.progress"):
        for _ in range(3):
            progress.step(1_000_000)
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0].startswith("rows: 1,000,000 / 2,000,003 done (49%), ")
    assert lines[1].startswith("rows: 2,000,000 / 2,000,003 done (99%), ")
    assert lines[2].startswith("rows: 2,000,003 / 2,000,003 done (100%), ")


def test_rows_written_counts_what_each_statement_reports(table: sa.Engine) -> None:
    other = sa.table("other", sa.column("n", sa.Integer), schema="public")
    with table.connect() as connection:
        connection.execute(sa.text("CREATE TABLE public.other (n int)"))
        written = RowsWritten(connection, numbers)
        connection.execute(
            sa.insert(numbers).from_select(["n"], sa.select(sa.func.generate_series(1, 4)))
        )
        connection.execute(sa.update(numbers).where(numbers.c.n > 2).values(n=numbers.c.n + 10))
        connection.execute(sa.insert(other).values(n=1))
        written.stop()
        connection.execute(sa.insert(numbers).values(n=99))
    assert (written.inserted["numbers"], written.updated["numbers"]) == (4, 2)
    assert "other" not in written.inserted


def test_tables_are_analyzed_each_time_the_batches_have_doubled_them() -> None:
    assert [n for n in range(0, 40) if analyzed_after(n)] == [1, 2, 4, 8, 16, 32]
