"""``aria-verify`` (``python -m db.verify``): did every legacy row reach the engine's tables?

The command around ``db/verification.py``: one read-only transaction on ``DATABASE_URL``,
then the report as a table or, with ``--json``, for pipelines. Exit status: 0 when nothing
that could be migrated is missing, 1 when something is, 2 when the check could not run (one
line on stderr), 3 when the legacy tables hold no row (nothing to verify).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from db.connection import DatabaseURLError, database_url, describe, migration_engine, one_line
from db.legacy_schema import AmbiguousLegacySchemaError, checked_name
from db.verification import (
    COULD_NOT_CHECK,
    Counts,
    TablesNotThereError,
    Verification,
    check_tables,
    read_legacy_from,
    verify,
)


def render(result: Verification, where: str) -> str:
    width = 18  # "messages by source"; an agent's or a source's name is cut to it

    def line(name: str, c: Counts) -> str:
        return (f"{name[:width]:<{width}} {c.legacy:>10,} {c.migrated:>10,} {c.archived:>10,} "
                f"{c.missing:>10,} {c.not_migrated:>14,}")  # fmt: skip

    def header(title: str = "") -> str:
        return (f"{title:<{width}} {'legacy':>10} {'migrated':>10} {'archived':>10} "
                f"{'missing':>10} {'not migrated':>14}")  # fmt: skip

    archive = " and ".join(result.archive_tables) or "none (not created yet)"
    out = [f"S8-06 verification of {where}",
           f"legacy tables: {' and '.join(result.legacy_tables)}",
           f"the application's archive: {archive}", "", header(),
           line("sessions", result.sessions), line("messages", result.messages)]  # fmt: skip
    if result.sessions.not_migrated:
        out.append(f"  sessions not migrated: {result.sessions.not_migrated} id clash(es)")
    for reason, count in result.not_placeable.items():
        out.append(f"  messages not placeable ({reason}): {count:,}")
    # Each row adds up, as above: legacy = migrated + archived + missing + not migrated.
    for by, groups in (("agent", result.by_agent), ("source", result.by_source)):
        for what in ("sessions", "messages"):
            counted = [(g.name, getattr(g, what)) for g in groups if getattr(g, what).legacy]
            out += ["", header(f"{what} by {by}"), *(line(name, c) for name, c in counted)]
    return "\n".join([*out, "", verdict(result)])


def verdict(result: Verification) -> str:
    if result.nothing_to_verify:
        return (
            f"NOTHING TO VERIFY: {' and '.join(result.legacy_tables)} hold no row; if this "
            "deployment's history lives in another schema, name it with --legacy-schema NAME"
        )
    if result.complete:
        return "COMPLETE: nothing that could be migrated is missing"
    return (
        f"INCOMPLETE: {result.sessions.missing:,} session(s) and "
        f"{result.messages.missing:,} message(s) that could be migrated are missing"
    )


def _schema_name(name: str) -> str:
    try:
        return checked_name(name)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"must be {error}") from None


DESCRIPTION = """\
Did every legacy OpenClaw session and message reach the engine's tables? Reads
DATABASE_URL, compares the legacy tables (public or aria_data) with aria_engine's in one
read-only transaction, and prints migrated, archived, missing and not migrated counts,
overall, by agent and by source."""
EPILOG = """\
exit status: 0 complete, 1 incomplete (something that could be migrated is missing),
2 could not check (one line on stderr), 3 nothing to verify (the legacy tables are empty)"""


def program_name(argv0: str = sys.argv[0]) -> str:
    """``aria-verify`` when run as the console script, else how it was run."""
    return "aria-verify" if Path(argv0).name == "aria-verify" else "python -m db.verify"


def report(result: Verification, url: sa.URL, checked_at: datetime) -> dict[str, Any]:
    """The ``--json`` document: snake_case keys only."""
    document = asdict(result)
    document["not_placeable"] = {k.replace(" ", "_"): v for k, v in result.not_placeable.items()}
    return {
        "database": describe(url),
        "checked_at": checked_at.isoformat(timespec="seconds"),
        "version": project_version(),
        **document,
        "complete": result.complete,
        "exit_status": result.status,
        "verdict": verdict(result),
    }


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
            legacy, schema = read_legacy_from(connection, args.legacy_schema)
            check_tables(connection, schema)
            checked_at: datetime = connection.execute(sa.select(sa.func.now())).scalar_one()
            result = verify(legacy, schema)
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


if __name__ == "__main__":
    sys.exit(main())
