"""``aria-finish`` (``python -m db.finish``): the move's last steps, each only when it is safe.

- ``retire``: the legacy tables renamed as the ticket says, once the database is at head,
  ``aria-verify`` finds nothing missing and nothing arrived since the last run, and nothing
  has written or read the tables for a watch window (the server's own counters);
- ``undo``: their names given back, unless a new table holds one;
- ``drop``: the retired tables dropped, not before 14 days after retirement unless each
  table is named to override it, only while verification is clean, and never removing
  another table's foreign key unless that key is named too.

Each runs in one transaction with a short lock timeout and is recorded
(``public.s8_06_retirements``); ``--sql`` prints it for review (no database needed),
``--rehearse`` runs it and rolls back. Exit status: 0 done (or printed), 1 refused (one line
on stderr saying what it saw), 2 could not run (one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from db.connection.url import DatabaseURLError, database_url, migration_engine, one_line
from db.deploy.legacy_schema import AmbiguousLegacySchemaError, checked_name, find_legacy_schema
from db.deploy.version_table import NAME as VERSION_TABLE
from db.deploy.version_table import SCHEMA as VERSION_TABLE_SCHEMA
from db.finish import retirement
from db.finish.usage import foreign_keys_on, watch, window_seconds
from db.migrate.settings import Settings
from db.verify.check import verify

DONE, REFUSED, COULD_NOT_RUN = 0, 1, 2
CARRY = "alembic -x carry=arrived upgrade head"


class RefusedError(Exception):
    """A step that is not safe now; the message says what was seen."""


def say(line: str) -> None:
    print(f"aria-finish: {line}", file=sys.stderr, flush=True)


def head_revision() -> str:
    """This checkout's head, from the alembic.ini the commands run beside."""
    path = Path(os.environ.get("ALEMBIC_CONFIG", "alembic.ini"))
    if not path.is_file():
        raise RefusedError(
            f"no {path} here: run aria-finish where alembic runs (beside alembic.ini)"
        )
    head = ScriptDirectory.from_config(Config(str(path))).get_current_head()
    assert head is not None
    return head


def at_head(connection: sa.Connection) -> None:
    table = f"{VERSION_TABLE_SCHEMA}.{VERSION_TABLE}"
    at = None
    if connection.scalar(sa.select(sa.func.to_regclass(table))) is not None:
        at = connection.scalar(sa.text(f"SELECT string_agg(version_num, ', ') FROM {table}"))
    head = head_revision()
    if at != head:
        raise RefusedError(f"the database is at {at or 'base'}, not at head ({head}): deploy first")


def verified_clean(connection: sa.Connection, schema: str, tables: str = "") -> None:
    """Nothing a run read is missing, and nothing arrived since the last run."""
    result = verify(connection, schema, suffix=tables)
    if not result.complete:
        raise RefusedError(
            f"{result.sessions.missing:,} session(s) and {result.messages.missing:,} "
            "message(s) that a run read are missing (a loss): see aria-verify"
        )
    if result.arrived:
        raise RefusedError(
            f"{result.sessions.arrived:,} session(s) and {result.messages.arrived:,} "
            f"message(s) arrived since the last run: carry them first with {CARRY}"
        )


def transaction(engine: sa.Engine, statements: list[str], rehearse: bool) -> None:
    with engine.connect() as connection, connection.begin() as work:
        for statement in statements:
            connection.exec_driver_sql(statement)
        if rehearse:
            work.rollback()
            say("rehearsal: rolled back; nothing was changed")


def retire(engine: sa.Engine, schema: str, args: argparse.Namespace) -> str:
    with engine.connect() as connection:
        at_head(connection)
        found = retirement.current(connection)
        if found is not None:
            when = f"{found.retired_at:%Y-%m-%d %H:%M}"
            raise RefusedError(f"already retired, on {when} by {found.retired_by}: "
                               "aria-finish undo gives the names back")  # fmt: skip
        verified_clean(connection, schema)
        keys = foreign_keys_on(connection, retirement.live_names(schema))
    engine.dispose()  # this connection's own reads reach the counters before the watch
    for key in keys:
        say(f"a foreign key that follows its table: {key.said()}")
    uses = watch(engine, retirement.live_names(schema), window_seconds(args.watch), say)
    if uses:
        raise RefusedError(uses[0].said(args.watch))
    transaction(engine, retirement.retire(schema, args.lock_timeout), args.rehearse)
    renamed = ", ".join(f"{old} -> {new}" for old, new in zip(
        retirement.live_names(schema), retirement.retired_names(schema), strict=True))  # fmt: skip
    return (f"retired: {renamed}; drop them with aria-finish drop from "
            f"{datetime.now(UTC) + timedelta(days=retirement.KEEP_DAYS):%Y-%m-%d}, after "
            f"{retirement.dump_command(schema)}")  # fmt: skip


def exists(connection: sa.Connection, name: str) -> bool:
    return connection.scalar(sa.select(sa.func.to_regclass(name))) is not None


def undo(engine: sa.Engine, schema: str, args: argparse.Namespace) -> str:
    with engine.connect() as connection:
        found = retirement.current(connection)
        if found is None or found.legacy_schema != schema:
            raise RefusedError(f"the legacy tables in {schema} are not retired: nothing to undo")
        if found.dropped_at is not None:
            raise RefusedError(f"the retired tables were dropped on {found.dropped_at:%F}")
        taken = [name for name in retirement.live_names(schema) if exists(connection, name)]
        if taken:
            raise RefusedError(f"a new table already holds the old name {', '.join(taken)}: "
                          "nothing was renamed back")  # fmt: skip
    transaction(engine, retirement.undo(schema, args.lock_timeout), args.rehearse)
    return f"undone: {', '.join(retirement.live_names(schema))} have their names back"


def drop(engine: sa.Engine, schema: str, args: argparse.Namespace) -> str:
    names = retirement.retired_names(schema)
    dump = f"dump them first: {retirement.dump_command(schema)}"
    with engine.connect() as connection:
        found = retirement.current(connection)
        if found is None or found.legacy_schema != schema or found.dropped_at is not None:
            raise RefusedError(f"{' and '.join(names)} are not retired tables: nothing to drop")
        due = found.retired_at + timedelta(days=retirement.KEEP_DAYS)
        early = [n for n in names if n not in args.early]
        if datetime.now(UTC) < due and early:
            raise RefusedError(f"retired on {found.retired_at:%Y-%m-%d}; not before {due:%Y-%m-%d} "
                          f"unless named: --early {' --early '.join(early)}; {dump}")  # fmt: skip
        verified_clean(connection, schema, retirement.SUFFIX)
        keys = foreign_keys_on(connection, names)
        unnamed = [k for k in keys if f"{k.table}.{k.name}" not in args.drop_constraint]
        if unnamed:
            raise RefusedError(
                "other tables hold foreign keys on them, which dropping would remove: "
                + "; ".join(k.said() for k in unnamed)
                + "; name each to drop it too: --drop-constraint "
                + " --drop-constraint ".join(f"{k.table}.{k.name}" for k in unnamed)
            )
    constraints = [(k.table, k.name) for k in keys]
    transaction(engine, retirement.drop(schema, constraints, args.lock_timeout), args.rehearse)
    return f"dropped: {', '.join(names)}" + "".join(
        f"; and the foreign key {k.table}.{k.name}" for k in keys)  # fmt: skip


STEPS = {"retire": (retire, retirement.retire), "undo": (undo, retirement.undo),
         "drop": (drop, None)}  # fmt: skip


def printed(step: str, schema: str, args: argparse.Namespace) -> str:
    """The step's transaction as SQL, for review."""
    if step == "drop":
        constraints = [(named.rsplit(".", 1)[0], named.rsplit(".", 1)[1])
                       for named in args.drop_constraint]  # fmt: skip
        statements = retirement.drop(schema, constraints, args.lock_timeout)
    else:
        statements = STEPS[step][1](schema, args.lock_timeout)  # type: ignore[misc]
    checks = {"retire": "at head; aria-verify finds nothing missing and nothing arrived; "
                        "nothing wrote or read the tables for the watch window",
              "undo": "the tables are retired; no new table holds an old name",
              "drop": f"retired {retirement.KEEP_DAYS} days ago or named with --early; "
                      "verification clean; every foreign key on them named"}[step]  # fmt: skip
    return "\n".join([f"-- aria-finish {step}: run by the command once it has checked: {checks}",
                      "BEGIN;", *(f"{s};" for s in statements), "COMMIT;"])  # fmt: skip


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog=program_name(), description=__doc__.split("\n\n")[0])
    steps = top.add_subparsers(dest="step", required=True)
    for name, text in (("retire", "rename the legacy tables *_archived, when it is safe"),
                       ("undo", "give the retired tables their names back"),
                       ("drop", "drop the retired tables, 14 days after retirement")):  # fmt: skip
        step = steps.add_parser(name, help=text, description=text)
        step.add_argument("--legacy-schema", metavar="NAME", type=_schema_name)
        step.add_argument("--sql", action="store_true", help="print the SQL, run nothing")
        step.add_argument("--rehearse", action="store_true", help="run it, then roll back")
        step.add_argument("--lock-timeout", default="2s", type=_lock_timeout)
        if name == "retire":
            step.add_argument("--watch", default="10min", type=_window,
                              help="how long nothing may use them (default 10min)")  # fmt: skip
        if name == "drop":
            step.add_argument("--early", action="append", default=[], metavar="TABLE",
                              help="drop TABLE before 14 days are up (name each)")  # fmt: skip
            step.add_argument("--drop-constraint", action="append", default=[],
                              metavar="TABLE.NAME", help="remove this foreign key too")  # fmt: skip
    return top


def _schema_name(name: str) -> str:
    try:
        return checked_name(name)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"must be {error}") from None


def _window(text: str) -> str:
    try:
        window_seconds(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"must be {error}") from None
    return text.strip()


def _lock_timeout(text: str) -> str:
    """Checked as the deploy settings check ``-x lock_timeout`` (``db/migrate/settings.py``)."""
    try:
        return Settings.from_x_arguments({"lock_timeout": text}).lock_timeout
    except CommandError as error:
        raise argparse.ArgumentTypeError(str(error).replace("-x lock_timeout ", "")) from None


def program_name(argv0: str = sys.argv[0]) -> str:
    return "aria-finish" if Path(argv0).name == "aria-finish" else "python -m db.finish"


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.sql:
        print(printed(args.step, args.legacy_schema or "public", args))
        return DONE
    try:
        engine = migration_engine(database_url())
        schema = args.legacy_schema
        if schema is None:
            with engine.connect() as connection:
                found = retirement.current(connection)
                schema = found.legacy_schema if found else find_legacy_schema(connection)
        outcome = STEPS[args.step][0](engine, schema, args)
        engine.dispose()
    except RefusedError as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return REFUSED
    except (DatabaseURLError, AmbiguousLegacySchemaError) as error:
        print(f"error: {error}", file=sys.stderr)
        return COULD_NOT_RUN
    except sa.exc.DBAPIError as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        return COULD_NOT_RUN
    print(outcome)
    return DONE
