"""How a data revision's run goes: one transaction, or keyset batches each committed on
its own (``db/migrate/batches.py``), chosen before it writes anything.

One transaction holds every row it writes uncommitted until its end: the application's
queries walk past all of them (its chat list took seconds at 1M), and the statements'
memory grows with them. A batch holds at most ``BATCH`` sessions with their messages. So a
run with no more than one batch's worth to carry is one transaction (production's whole
history is: about 14,300 sessions and 3,900 messages), and a larger one runs in batches.
The operator can force either; ``-x rehearse`` needs one transaction, which it rolls back.

Generic: it knows counts and settings, nothing of what a revision moves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from db.migrate.settings import Settings

BATCH = 20_000  # sessions per batch, and the most one transaction carries of each kind
FORCE_BATCHES = "-x batch_size=N forces batches"
FORCE_ONE = "-x single_transaction=true forces one transaction"


@dataclass(frozen=True)
class Mode:
    batch_size: int | None  # None: one transaction
    why: str


def chosen(
    settings: Settings, to_carry: Callable[[int], tuple[int, int]], rehearsing: bool = False
) -> Mode:
    """``to_carry(limit)``: the sessions and messages the run would carry, each counted up
    to ``limit + 1`` at most (what is beyond decides nothing); only called when asked."""
    if settings.batch_size:
        return Mode(settings.batch_size, f"batches of {settings.batch_size:,}, as asked")
    if settings.single_transaction:
        return Mode(None, "one transaction, as asked")
    if rehearsing:
        return Mode(None, "one transaction: a rehearsal rolls back what it wrote")
    sessions, messages = to_carry(BATCH)
    found = f"{_count(sessions)} session(s) and {_count(messages)} message(s) not carried yet"
    if sessions <= BATCH and messages <= BATCH:
        return Mode(None, f"one transaction: {found}, within one batch of {BATCH:,} "
                          f"({FORCE_BATCHES})")  # fmt: skip
    return Mode(BATCH, f"batches of {BATCH:,}: {found}, more than one transaction takes "
                       f"({FORCE_ONE})")  # fmt: skip


def _count(n: int) -> str:
    return f"more than {BATCH:,}" if n > BATCH else f"{n:,}"
