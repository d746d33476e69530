"""Where each data step's time goes: ``EXPLAIN (ANALYZE, BUFFERS)`` of every statement the
data revision runs, on a copy of a legacy database just before it (issues 13 and 27), one
line per statement: adoption, run, plan, each insert, titles, proof.

An insert's time is split at the moment the rows under its top node were ready: for the
engine inserts, whose top node writes the record (``WITH written AS (INSERT …) INSERT INTO
s8_06_carried_…``), before it is computing and writing the engine rows, after it writing
their record; triggers are the foreign keys' checks. A statement EXPLAIN cannot take (the
proof's ``DO`` block, ``ANALYZE``) is timed as it runs. The whole plans go to ``--plans``.

    python -m benchmarks.profile --size 200000 --runs 3 --plans profile.json.txt

The server is ``BENCH_DATABASE_URL`` (an admin URL) if set, else a throwaway server.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.run import (
    build_template,
    copy_of,
    create_database,
    drop_databases,
    offline_sql,
    run_alembic,
    server,
)
from benchmarks.write_limit import STEP

BEFORE_DATA = "0006_s8_06_record_reads"  # where the data revision starts
EXPLAINED = ("INSERT", "UPDATE", "WITH", "CREATE TEMPORARY TABLE")


def data_revision_sql() -> list[str]:
    """The statements of ``alembic upgrade 0006:head --sql``, without BEGIN/COMMIT."""
    statements = [s.strip() for s in offline_sql(f"{BEFORE_DATA}:head").split(";\n\n")]
    return [s.removesuffix(";") for s in statements if s and s not in ("BEGIN", "COMMIT;")]


def what(statement: str) -> str:
    """The start of the statement's own comment, to tell the steps of one name apart."""
    return statement.splitlines()[0].split(": ", 1)[-1][:60]


def body(statement: str) -> str:
    """The statement without its leading comment lines."""
    lines = statement.splitlines()
    return "\n".join(line for line in lines if not line.startswith("--")).strip()


def split(plan: dict[str, Any]) -> tuple[float, float, float]:
    """Seconds in all, until the rows were ready, and in triggers, of one ``EXPLAIN
    (ANALYZE, FORMAT JSON)`` result."""
    total = plan["Execution Time"] / 1000
    top = plan["Plan"]
    ready = total
    if top["Node Type"] == "ModifyTable":
        rows = [p for p in top["Plans"] if p["Parent Relationship"] == "Outer"]
        ready = rows[0]["Actual Total Time"] / 1000
    triggers = sum(t["Time"] for t in plan.get("Triggers", [])) / 1000
    return total, ready, triggers


def profile(url: sa.URL) -> list[str]:
    """Run the data revision's statements in one transaction, each data step explained;
    print the split of each, return the plans; roll back."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    plans = []
    with engine.connect() as connection:
        for statement in data_revision_sql():
            found = STEP.search(statement)
            if not found or not body(statement).startswith(EXPLAINED):
                started = time.perf_counter()
                connection.exec_driver_sql(statement)
                if found:
                    print(f"  {found.group(1):<13} {time.perf_counter() - started:6.2f} s "
                          f"(timed) {what(statement)}", flush=True)  # fmt: skip
                continue
            explain = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + body(statement)
            result = connection.exec_driver_sql(explain).scalar_one()
            plan = (result if isinstance(result, list) else json.loads(result))[0]
            total, ready, triggers = split(plan)
            print(
                f"  {found.group(1):<13} {total:6.2f} s: rows ready at {ready:5.2f} s, written "
                f"in {total - ready:5.2f} s (triggers {triggers:5.2f} s) {what(statement)}",
                flush=True,
            )
            plans.append(f"-- {found.group(1)}\n{json.dumps(plan, indent=1)}\n")
        connection.rollback()
    engine.dispose()
    return plans


def before_data(server_url: sa.URL, template: str) -> str:
    """A copy of ``template`` with the schema revisions applied (what the data revision
    starts from)."""
    name = template.replace("legacy", "before_data")
    create_database(server_url, name, template)
    run_alembic(server_url.set(database=name), target=BEFORE_DATA)
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=1, help="each on a fresh copy")
    parser.add_argument("--plans", type=Path, help="write the last run's plans (JSON) here")
    args = parser.parse_args()
    with server() as server_url:
        template = build_template(server_url, args.size)
        start = before_data(server_url, template)
        for run in range(args.runs):
            print(f"run {run + 1}:")
            with copy_of(server_url, start) as url:
                plans = profile(url)
        if args.plans:
            args.plans.write_text("\n".join(plans))
        drop_databases(server_url, template, start)


if __name__ == "__main__":
    main()
