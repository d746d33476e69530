"""db/migrate/proof.py: the proof raises with its counts, warns on nothing read, and reads
the same through psql as online."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from db.migrate.expressions import lit
from db.migrate.proof import proof

seen = sa.table("seen", sa.column("n", sa.Integer), schema="public")
FAILURE = "check failed: {lost} lost and {doubled} doubled; nothing was committed"
NOTHING = "nothing was read from public.seen: " + "a long explanation " * 6


def _proof(lost: int, doubled: int) -> sa.Executable:
    missing = sa.select(lit(lost).label("lost"), lit(doubled).label("doubled"))
    return proof(missing, FAILURE, NOTHING, seen, "nothing lost, nothing doubled")


def _warnings(connection: sa.Connection) -> list[str]:
    said: list[str] = []
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.add_notice_handler(lambda notice: said.append(notice.message_primary or ""))
    return said


@pytest.mark.parametrize(("lost", "doubled"), [(2, 0), (0, 3), (1, 1)])
def test_any_count_above_zero_raises_with_every_count(
    engine: sa.Engine, lost: int, doubled: int
) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE public.seen (n int)")
        connection.exec_driver_sql("INSERT INTO public.seen VALUES (1)")
    with pytest.raises(sa.exc.DBAPIError) as raised, engine.begin() as connection:
        connection.execute(_proof(lost, doubled))
    assert f"check failed: {lost} lost and {doubled} doubled; nothing was committed" in str(
        raised.value
    )


def test_all_zero_passes_and_warns_only_when_nothing_was_read(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE public.seen (n int)")
        said = _warnings(connection)
        connection.execute(_proof(0, 0))
        empty = list(said)
        connection.exec_driver_sql("INSERT INTO public.seen VALUES (1)")
        connection.execute(_proof(0, 0))
    assert empty == [NOTHING]
    assert said == [NOTHING]


def test_the_block_says_its_step_and_keeps_lines_short() -> None:
    text = _proof(0, 0).text  # type: ignore[attr-defined]
    assert text.startswith("-- proof: nothing lost, nothing doubled\nDO $proof$")
    assert max(len(line) for line in text.splitlines()) <= 120
