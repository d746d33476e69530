"""``aria-verify`` (``python -m db.verify``): did every legacy row reach the engine's tables?

The command around ``db/verify/check.py``: one read-only transaction on ``DATABASE_URL``,
then the report as a table or, with ``--json``, for pipelines. Exit status: 0 complete, 1
when something a run read is missing (a loss), 2 when the check could not run (one line on
stderr), 3 when the legacy tables hold no row (nothing to verify), 4 when everything the last
run read is there and legacy rows arrived since (the scheduled carry takes them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from db.connection.url import DatabaseURLError, database_url, describe, migration_engine, one_line
from db.deploy.legacy_schema import AmbiguousLegacySchemaError, checked_name
from db.finish import retirement
from db.verify.arrived import Arrived
from db.verify.check import (
    ARRIVED_SINCE,
    COULD_NOT_CHECK,
    NO_RECORD,
    NOTHING_TO_VERIFY,
    Counts,
    Record,
    TablesNotThereError,
    Verification,
    check_tables,
    legacy_schema_of,
    verify,
)


def render(result: Verification, where: str) -> str:
    width = 18  # "messages by source"; an agent's or a source's name is cut to it
    columns = ("legacy", "live", "archived", "removed", "missing", "not migrated", "arrived")

    def line(name: str, c: Counts) -> str:
        figures = (c.legacy, c.live, c.archived, c.removed, c.missing, c.not_migrated, c.arrived)
        return f"{name[:width]:<{width}}" + "".join(f" {n:>12,}" for n in figures)

    def header(title: str = "") -> str:
        return f"{title:<{width}}" + "".join(f" {column:>12}" for column in columns)

    archive = " and ".join(result.archive_tables) or "none (not created yet)"
    out = [f"S8-06 verification of {where}",
           f"legacy tables: {' and '.join(result.legacy_tables)}{retired(result)}",
           f"the engine's archive: {archive}", f"record: {record_line(result.record)}", "",
           header(), line("sessions", result.sessions),
           line("messages", result.messages)]  # fmt: skip
    if result.sessions.not_migrated:
        out.append(f"  sessions not migrated: {result.sessions.not_migrated} id clash(es)")
    for reason, count in result.not_placeable.items():
        out.append(f"  messages not placeable ({reason}): {count:,}")
    for what, count, times in (
        ("sessions", result.sessions.arrived, result.arrived_sessions),
        ("messages", result.messages.arrived, result.arrived_messages),
    ):
        if count:
            out.append(f"  {what} arrived since the last run: {count:,}{between(times)}")
    # Each row adds up: legacy = live + archived + removed + missing + not migrated + arrived.
    for by, groups in (("agent", result.by_agent), ("source", result.by_source)):
        for what in ("sessions", "messages"):
            counted = [(g.name, getattr(g, what)) for g in groups if getattr(g, what).legacy]
            out += ["", header(f"{what} by {by}"), *(line(name, c) for name, c in counted)]
    return "\n".join([*out, "", MEANING, "", verdict(result)])


MEANING = (
    "live, archived: carried, and in the engine's live or archive tables now; removed: "
    "carried,\nthen deleted by the application or a user; missing: read by a run and neither "
    "carried nor\nreported (a loss); not migrated: an id clash, or a message with no session "
    "to go to;\narrived: written since the last run read the tables, for the next carry"
)
# The one command that carries what arrived (docs/runbook.md).
CARRY_COMMAND = "alembic -x carry=arrived upgrade head"


def retired(result: Verification) -> str:
    if result.retired_at is None:
        return ""
    return f" (retired since {result.retired_at.isoformat(timespec='seconds')})"


def between(times: Arrived) -> str:
    if times.oldest is None or times.newest is None:
        return ""
    oldest, newest = (t.isoformat(timespec="seconds") for t in (times.oldest, times.newest))
    return f" (from {oldest} to {newest})"


def record_line(record: Record | None) -> str:
    if record is None:
        return NO_RECORD
    last = record.last_run_at.isoformat(timespec="seconds") if record.last_run_at else "?"
    found = (f", {record.earlier_release:,} of them carried by an earlier release"
             if record.earlier_release else "")  # fmt: skip
    return (f"{record.runs:,} run(s), the last at {last}; {record.sessions:,} session(s) and "
            f"{record.messages:,} message(s) carried{found}")  # fmt: skip


def verdict(result: Verification) -> str:
    if result.nothing_to_verify:
        return (
            f"NOTHING TO VERIFY: {' and '.join(result.legacy_tables)} hold no row; if this "
            "deployment's history lives in another schema, name it with --legacy-schema NAME"
        )
    if not result.complete:
        return (
            f"INCOMPLETE: {result.sessions.missing:,} session(s) and "
            f"{result.messages.missing:,} message(s) that a run read are missing"
        )
    if result.status == ARRIVED_SINCE:
        return (
            f"COMPLETE UP TO THE LAST RUN: {result.sessions.arrived:,} session(s) and "
            f"{result.messages.arrived:,} message(s) arrived since; carry them with "
            f"{CARRY_COMMAND}"
        )
    return "COMPLETE: nothing that could be migrated is missing"


def _schema_name(name: str) -> str:
    try:
        return checked_name(name)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"must be {error}") from None


DESCRIPTION = """\
Did every legacy OpenClaw session and message reach the engine's tables? Reads
DATABASE_URL, compares the legacy tables (public or aria_data) with aria_engine's in one
read-only transaction, and prints, overall, by agent and by source, what is live,
archived, carried and removed since, missing, or could not be migrated. Valid at any time:
it reads the record of what was carried, whatever the application did since."""
EPILOG = """\
exit status: 0 complete, 1 incomplete (something a run read is missing: a loss),
2 could not check (one line on stderr), 3 nothing to verify (the legacy tables are empty),
4 complete up to the last run, with legacy rows arrived since (carry them with
alembic -x carry=arrived upgrade head)"""


def program_name(argv0: str = sys.argv[0]) -> str:
    """``aria-verify`` when run as the console script, else how it was run."""
    return "aria-verify" if Path(argv0).name == "aria-verify" else "python -m db.verify"


def report(result: Verification, url: sa.URL, checked_at: datetime) -> dict[str, Any]:
    """The ``--json`` document: snake_case keys only."""
    document = asdict(result)
    _with_carried(document)
    if result.retired_at is not None:
        document["retired_at"] = result.retired_at.isoformat(timespec="seconds")
    if result.record is not None and result.record.last_run_at is not None:
        document["record"]["last_run_at"] = result.record.last_run_at.isoformat(timespec="seconds")
    document["not_placeable"] = {k.replace(" ", "_"): v for k, v in result.not_placeable.items()}
    for what in ("arrived_sessions", "arrived_messages"):
        times = getattr(result, what)
        document[what] = {
            "oldest": None if times.oldest is None else times.oldest.isoformat(timespec="seconds"),
            "newest": None if times.newest is None else times.newest.isoformat(timespec="seconds"),
        }
    document["carry_command"] = CARRY_COMMAND if result.arrived else None
    return {
        "database": describe(url),
        "checked_at": checked_at.isoformat(timespec="seconds"),
        "version": project_version(),
        **document,
        "complete": result.complete,
        "exit_status": result.status,
        "verdict": verdict(result),
    }


def _with_carried(node: Any) -> None:
    """Every set of counts in the document also says how many were carried, in all."""
    if isinstance(node, dict):
        if {"live", "archived", "removed"} <= node.keys():
            node["carried"] = node["live"] + node["archived"] + node["removed"]
        for value in node.values():
            _with_carried(value)
    elif isinstance(node, list):
        for value in node:
            _with_carried(value)


def project_version() -> str:
    try:
        return metadata.version("aria-migrations")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=program_name(), description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--legacy-schema",
        metavar="NAME",
        type=_schema_name,
        help="where the legacy tables are (default: found as the migration finds them, "
        "in public or aria_data)",
    )
    args = parser.parse_args(argv)
    try:
        url = database_url()
        engine = migration_engine(url)
        with engine.connect() as connection:
            connection.execute(sa.text("SET TRANSACTION READ ONLY"))
            retired = retirement.current(connection)
            if retired is not None and args.legacy_schema in (None, retired.legacy_schema):
                if retired.dropped_at is not None:
                    print(f"NOTHING TO VERIFY: the retired legacy tables "
                          f"{' and '.join(retired.tables)} were dropped on "
                          f"{retired.dropped_at:%Y-%m-%d}")  # fmt: skip
                    return NOTHING_TO_VERIFY
                schema, suffix = retired.legacy_schema, retirement.SUFFIX
            else:
                schema, suffix = legacy_schema_of(connection, args.legacy_schema), ""
            check_tables(connection, schema, suffix)
            checked_at: datetime = connection.execute(sa.select(sa.func.now())).scalar_one()
            result = verify(connection, schema, suffix)
            if retired is not None and suffix:
                result = replace(result, retired_at=retired.retired_at)
            connection.rollback()
        engine.dispose()
    except (DatabaseURLError, AmbiguousLegacySchemaError, TablesNotThereError) as error:
        print(f"error: {error}", file=sys.stderr)
        return COULD_NOT_CHECK
    except sa.exc.DBAPIError as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        return COULD_NOT_CHECK
    text = json.dumps(report(result, url, checked_at), indent=2) if args.json else render(
        result, describe(url))  # fmt: skip
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `aria-verify | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return result.status
