"""A data revision's run: the deploy settings, its guard, then its statements in one
transaction or in keyset batches (``db/migrate/mode.py`` chooses), each step logged as it
ends, and a report once it is done.

One transaction sends the start (the run's row, what it adopts), the read, the plan, the
writes and the proof, in that order: the statements ``--sql`` prints, byte for byte. Batches
send the same statements, laid out over many commits:
- the start is committed on its own, before the plan, which reads what it recorded;
- the plan keeps its rows across commits, and is dropped at the end;
- each batch's writes commit together with their record: a run killed at any moment
  leaves no session counting messages that are not there, and the next run finishes it;
- the tables the batches grow are analyzed after batches 1, 2, 4, 8, …
  (``analyzed_after``): the application keeps its statements prepared (asyncpg), each with
  the plan made when those tables were nearly empty, a sequential scan, until their
  statistics change, and autovacuum's analyze comes at most once a minute while the batches
  add tens of thousands of rows a second. An ANALYZE makes the application plan again.
  SKIP_LOCKED: a table autovacuum holds is skipped rather than waited for, as the vacuum
  updates its counts too;
- the proof runs in the transaction that records the revision, so a failed check leaves
  the revision unrecorded, and the batches done so far committed for the next run.

Generic: it sends what the revision built, in order; it knows nothing of what a revision
moves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from db.migrate.batches import (
    Batch,
    Progress,
    RowsWritten,
    analyzed_after,
    committed,
    keyset_batches,
)
from db.migrate.expressions import lit
from db.migrate.layout import Step, analyzed
from db.migrate.mode import chosen
from db.migrate.plan import PlanTable, dropped, planned
from db.migrate.settings import deploy_settings, send_deploy_settings
from db.migrate.steps import steps_said

Report = Callable[[sa.Connection, RowsWritten, RowsWritten], None]


@dataclass(frozen=True)
class Carry:
    """A data revision's statements by stage, and what its run counts and reports."""

    name: str  # the log's prefix
    log: logging.Logger
    start: Sequence[Step]  # the run's row in the record, then what it adopts
    read: Step  # before the plan: what the run reads, told apart from what arrives after
    plan: Sequence[PlanTable]
    walked: sa.ColumnElement[Any]  # a plan table's key: the batches are ranges of it
    walked_what: str  # what one key stands for, in the progress lines
    # writes(batch, run, late): the whole run's (batch None), or one batch's; run: the
    # run's number, once committed; late: False where the plan found nothing late to write
    writes: Callable[[Batch | None, Any, bool], Sequence[Step]]
    proof: Callable[[bool], Step]  # (batched)
    to_carry: Callable[[int], sa.Select[Any]]  # (limit): what is left, for the mode
    run_number: sa.ScalarSelect[Any]
    any_late: sa.Exists
    adopted_into: tuple[sa.TableClause, ...]  # what the start writes, counted for the report
    written_into: tuple[sa.TableClause, ...]  # what the writes write, counted for the report
    grows: tuple[sa.TableClause, ...]  # what batches analyze as they grow it (read by the writes)
    report: Report


def in_one_transaction(carry: Carry) -> list[Step]:
    """Every statement of the run, in order, as one transaction sends them."""
    return [*carry.start, *_after_start(carry)]


def _after_start(carry: Carry) -> list[Step]:
    return [carry.read, *planned(carry.plan, batched=False), *carry.writes(None, None, True),
            carry.proof(False)]  # fmt: skip


def grown(carry: Carry) -> Step:
    """Fresh statistics for the tables the batches write (the module's docstring says why)."""
    return analyzed("batches", "row counts of the tables the batches have grown, for the "
                    "application's plans", carry.grows, skip_locked=True)  # fmt: skip


def run(carry: Carry, guard: sa.Executable) -> None:
    """The whole run, from the revision's ``upgrade`` (or env.py's carry of what arrived):
    ``-x`` read and checked by env.py before anything ran."""
    settings = send_deploy_settings()
    op.execute(guard)
    if context.is_offline_mode():
        for statement in in_one_transaction(carry):
            op.execute(statement)
        return
    connection = op.get_bind()
    mode = chosen(
        settings, lambda limit: tuple(connection.execute(carry.to_carry(limit)).one()),
        rehearsing=context.get_x_argument(as_dictionary=True).get("rehearse") == "true",
    )  # fmt: skip
    carry.log.info("%s: %s", carry.name, mode.why)
    if mode.batch_size:
        for setting in deploy_settings(settings, "SESSION"):  # they outlive the batches' commits
            op.execute(setting)
        found, written = _in_batches(carry, mode.batch_size)
    else:
        found = _started(carry)
        written = RowsWritten(connection, *carry.written_into)
        with steps_said(carry.log, carry.name):
            for statement in _after_start(carry):
                op.execute(statement)
    written.stop()
    carry.report(connection, written, found)
    if mode.batch_size:
        for drop in dropped(carry.plan):
            op.execute(drop)


def _started(carry: Carry) -> RowsWritten:
    """The run's row, then what it adopts; what adopting wrote, counted."""
    found = RowsWritten(op.get_bind(), *carry.adopted_into)
    with steps_said(carry.log, carry.name):
        for statement in carry.start:
            op.execute(statement)
    found.stop()
    return found


def _in_batches(carry: Carry, size: int) -> tuple[RowsWritten, RowsWritten]:
    connection = op.get_bind()
    with op.get_context().autocommit_block():
        with committed(connection):  # before the plan, which reads what it recorded
            found = _started(carry)
        run = connection.scalar(sa.select(carry.run_number))
        written = RowsWritten(connection, *carry.written_into)
        tables = ", ".join(table.table.name for table in carry.plan)
        carry.log.info("%s: building the plan (%s), every source row read once", carry.name, tables)
        with steps_said(carry.log, carry.name):
            for statement in [carry.read, *planned(carry.plan, batched=True)]:
                op.execute(statement)
        # Online, the plan is known: a run with nothing late sends only what can write.
        late = bool(connection.scalar(sa.select(carry.any_late)))
        total = connection.scalar(sa.select(sa.func.count(carry.walked)))
        progress = Progress(carry.log, f"{carry.name} {carry.walked_what}", total or 0)
        for number, batch in enumerate(keyset_batches(connection, carry.walked, size), start=1):
            with committed(connection):  # a batch's rows and their record, or nothing
                for statement in carry.writes(batch, None if run is None else lit(run), late):
                    op.execute(statement)
            if analyzed_after(number):
                op.execute(grown(carry))
            progress.step(size)
    # In the transaction that records the revision: a failed check leaves it unrecorded.
    with steps_said(carry.log, carry.name):
        op.execute(carry.proof(True))
    return found, written
