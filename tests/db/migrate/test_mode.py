"""db/migrate/mode.py: one transaction for one batch's worth, batches beyond, either forced."""

from __future__ import annotations

import pytest

from db.migrate.mode import BATCH, chosen
from db.migrate.settings import Settings


class Counted:
    """What a revision's count would find, counted as it counts (up to limit + 1)."""

    def __init__(self, sessions: int, messages: int) -> None:
        self.sessions, self.messages = sessions, messages
        self.asked: list[int] = []

    def __call__(self, limit: int) -> tuple[int, int]:
        self.asked.append(limit)
        return min(self.sessions, limit + 1), min(self.messages, limit + 1)


@pytest.mark.parametrize(
    ("sessions", "messages", "batch_size"),
    [
        (14_300, 3_900, None),  # production's whole history
        (BATCH, BATCH, None),
        (0, 0, None),
        (BATCH + 1, 0, BATCH),
        (0, BATCH + 1, BATCH),
        (1_000_000, 272_727, BATCH),
    ],
)
def test_one_batch_s_worth_is_one_transaction_and_more_runs_in_batches(
    sessions: int, messages: int, batch_size: int | None
) -> None:
    to_carry = Counted(sessions, messages)
    mode = chosen(Settings(), to_carry)
    assert mode.batch_size == batch_size
    assert to_carry.asked == [BATCH]


def test_the_reason_names_what_was_found_and_how_to_force_the_other() -> None:
    small = chosen(Settings(), Counted(14_300, 3_900))
    assert small.why == (
        "one transaction: 14,300 session(s) and 3,900 message(s) not carried yet, within one "
        "batch of 20,000 (-x batch_size=N forces batches)"
    )
    large = chosen(Settings(), Counted(1_000_000, 3_900))
    assert large.why == (
        "batches of 20,000: more than 20,000 session(s) and 3,900 message(s) not carried yet, more "
        "than one transaction takes (-x single_transaction=true forces one transaction)"
    )


@pytest.mark.parametrize(
    ("settings", "rehearsing", "batch_size", "why"),
    [
        (Settings(batch_size=500), False, 500, "batches of 500, as asked"),
        (Settings(single_transaction=True), False, None, "one transaction, as asked"),
        (Settings(), True, None, "one transaction: a rehearsal rolls back what it wrote"),
    ],
)
def test_a_forced_mode_or_a_rehearsal_counts_nothing(
    settings: Settings, rehearsing: bool, batch_size: int | None, why: str
) -> None:
    to_carry = Counted(1_000_000, 1_000_000)
    mode = chosen(settings, to_carry, rehearsing)
    assert (mode.batch_size, mode.why) == (batch_size, why)
    assert to_carry.asked == []
