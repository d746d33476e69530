"""0007 chooses how it runs (``db/migrate/mode.py``): production's whole history in one
transaction, more than one batch's worth in batches, counted against the record (what is
carried already does not count), and either when the operator forces it; the log says which
and why. Not under ``versions/``: counting and choosing are the same on every major, so CI
runs these on its two full-suite legs only."""

from __future__ import annotations

import sqlalchemy as sa

from db.migrate.mode import BATCH
from tests.support.commands import alembic
from tests.support.history import production_history

PROGRESS = "S8-06 legacy sessions, each with its messages:"


def carried(engine: sa.Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return tuple(connection.execute(sa.text(
            "SELECT (SELECT count(*) FROM public.s8_06_carried_sessions),"
            "       (SELECT count(*) FROM public.s8_06_carried_messages)")).one())  # fmt: skip


def test_production_s_whole_history_is_one_transaction(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    log = alembic("upgrade", "head",
                  database_url=production_history(database_url, 14_300, 3_900)).stderr  # fmt: skip

    assert (
        "S8-06: one transaction: 14,300 session(s) and 3,900 message(s) not carried yet, "
        "within one batch of 20,000 (-x batch_size=N forces batches)"
    ) in log
    assert PROGRESS not in log
    assert carried(engine)[0] == 14_300


def test_more_than_one_batch_runs_in_batches_and_what_arrives_after_is_one_transaction(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    url = production_history(database_url, BATCH + 1, 100)
    log = alembic("upgrade", "head", database_url=url).stderr

    assert (
        "S8-06: batches of 20,000: more than 20,000 session(s) and 100 message(s) not carried yet, "
        "more than one transaction takes (-x single_transaction=true forces one transaction)"
    ) in log
    assert f"{PROGRESS} 20,000 / 20,001 done" in log
    assert f"{PROGRESS} 20,001 / 20,001 done" in log
    sessions, _messages = carried(engine)
    assert sessions == BATCH + 1

    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO public.agent_sessions (agent_id, session_type, status) "
            "SELECT 'main', 'skill_exec', 'completed' FROM generate_series(1, 3)"))  # fmt: skip
    log = alembic("-x", "carry=arrived", "upgrade", "head", database_url=url).stderr

    # The messages no rule can place stay outside the record, and are counted with the rest.
    unplaced = carried_not(engine)
    assert f"S8-06: one transaction: 3 session(s) and {unplaced} message(s) not carried yet" in log
    assert carried(engine)[0] == BATCH + 4


def test_the_operator_can_force_one_transaction_over_any_size(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    url = production_history(database_url, BATCH + 1, 100)
    log = alembic("-x", "single_transaction=true", "upgrade", "head", database_url=url).stderr

    assert "S8-06: one transaction, as asked" in log
    assert PROGRESS not in log
    assert carried(engine)[0] == BATCH + 1


def test_the_operator_can_force_batches_over_a_small_history(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    url = production_history(database_url, 300, 100)
    log = alembic("-x", "batch_size=100", "upgrade", "head", database_url=url).stderr

    assert "S8-06: batches of 100, as asked" in log
    assert f"{PROGRESS} 300 / 300 done" in log
    assert carried(engine) == (300, 100 - carried_not(engine))


def carried_not(engine: sa.Engine) -> int:
    """Legacy messages no run can place (the generator makes some): never in the record."""
    with engine.connect() as connection:
        return int(connection.scalar(sa.text(
            "SELECT count(*) FROM public.session_messages m WHERE NOT EXISTS "
            "(SELECT FROM public.s8_06_carried_messages c WHERE c.id = m.id)")))  # fmt: skip
