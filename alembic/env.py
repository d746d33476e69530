"""Alembic environment: one job per block.

Online, the whole upgrade runs in one transaction under the deploy lock, with this
project's own version table (``db/deploy/version_table.py``), never the application's. Offline
(``--sql``), plain SQL that psql runs as is: literal values, named paramstyle (so no ``%%``
doubling), no database and no DATABASE_URL. Either way the legacy tables are read where they
are: found online (``db/deploy/legacy_schema.py``), named with ``-x legacy_schema``, else
``public``; the revisions read the choice through ``db/migrate/eras.py``.

``-x carry=arrived`` at head runs the data revision's carry once more, under the same lock,
for the legacy rows the application wrote since the last run (``db/verify/arrived.py``), and
touches no version table: a no-op, said in one line, when nothing arrived.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable
from dataclasses import fields
from logging.config import fileConfig
from typing import Any

import sqlalchemy as sa
from alembic import context
from alembic.operations import Operations
from alembic.util import CommandError

from db.connection.url import DatabaseURLError, database_url, migration_engine, one_line
from db.deploy.legacy_schema import AmbiguousLegacySchemaError, find_legacy_schema, named_schema
from db.deploy.lock import DEFAULT_WAIT_SECONDS, DeployLockTimeoutError, deploy_lock
from db.deploy.version_table import NAME as VERSION_TABLE
from db.deploy.version_table import SCHEMA as VERSION_TABLE_SCHEMA
from db.deploy.version_table import carry_over, forget_in_shared_table, starts_at
from db.finish.retirement import current as retirement_in_force
from db.migrate.eras import DEFAULT, X_OPTION
from db.migrate.settings import Settings
from db.schema import metadata
from db.verify.arrived import since_last_run

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

OWNED_SCHEMAS = {"public", "aria_engine"}
log = logging.getLogger("alembic.env")
# Every -x this project reads (here, and the revisions' Settings); anything else is a typo.
X_ARGUMENTS = {"carry", "migration_lock_wait", "rehearse", X_OPTION,
               *(f.name for f in fields(Settings))}  # fmt: skip
CARRY = "arrived"  # -x carry=arrived: what the application wrote since the last run


def x_arguments() -> dict[str, str]:
    """The ``-x`` options, checked before anything runs."""
    x: dict[str, str] = context.get_x_argument(as_dictionary=True)
    unknown = sorted(set(x) - X_ARGUMENTS)
    if unknown:
        raise CommandError(
            f"unknown -x option(s): {', '.join(unknown)}; known: {', '.join(sorted(X_ARGUMENTS))}"
        )
    if x.get("carry", CARRY) != CARRY:
        raise CommandError(f"-x carry must be {CARRY}; got {x['carry']!r}")
    if x.get("rehearse", "false") not in ("true", "false"):
        raise CommandError(f"-x rehearse must be true or false; got {x['rehearse']!r}")
    if x.get("rehearse") == "true" and context.is_offline_mode():
        raise CommandError(
            "-x rehearse runs every pending revision against the database, then rolls back; "
            "--sql only prints, so there is nothing to rehearse"
        )
    if x.get("rehearse") == "true" and "batch_size" in x:
        raise CommandError(
            "-x rehearse cannot be combined with -x batch_size: batches commit as they go, "
            "so they could not be rolled back"
        )
    wait = x.get("migration_lock_wait", "0")
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", wait.strip()):
        raise CommandError(f"-x migration_lock_wait must be a number of seconds; got {wait!r}")
    # The revisions' own settings too: a bad one must stop the run before anything runs or
    # is printed, also when there is nothing left to run.
    settings = Settings.from_x_arguments(x)
    if settings.batch_size and context.is_offline_mode():
        raise CommandError(
            "-x batch_size works online only: batch boundaries are read from the data, and "
            "each batch commits on its own; --sql prints the single-transaction migration"
        )
    named_schema(x)
    return x


def include_name(name: str | None, type_: str, _parents: dict[str, Any]) -> bool:
    """Autogenerate looks at our two schemas only, and at no Alembic version table."""
    if type_ == "schema":
        return name in OWNED_SCHEMAS
    return not (type_ == "table" and name in ("alembic_version", VERSION_TABLE))


COMMON_OPTIONS: dict[str, Any] = {
    "target_metadata": metadata,
    "version_table": VERSION_TABLE,
    "version_table_schema": VERSION_TABLE_SCHEMA,
    "include_schemas": True,
    "include_name": include_name,
}


def full_id(revision: str | tuple[str, ...]) -> str | None:
    """The id ``upgrade A:B`` names by A (a prefix will do, as for Alembic); None for base.
    One linear head: a tuple names one revision."""
    found = context.script.get_revision(revision if isinstance(revision, str) else revision[0])
    return None if found is None else found.revision


def our_revisions() -> set[str]:
    return {script.revision for script in context.script.walk_revisions()}


def run_migrations_offline(x: dict[str, str]) -> None:
    config.attributes[X_OPTION] = named_schema(x) or DEFAULT
    context.configure(
        dialect_name="postgresql",
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **COMMON_OPTIONS,
    )
    start = context.get_starting_revision_argument()
    if "carry" in x:
        with context.begin_transaction():
            # A carry runs at head: the script stops unless the database is there.
            context.execute(starts_at(context.script.get_current_head()))
            carry_once_more()
        return
    with context.begin_transaction():
        # First: a script applied twice, or to a database not where it starts, stops here.
        context.execute(starts_at(None if start is None else full_id(start)))
        if start is None:
            # The script builds our version table and runs every revision again (each is
            # idempotent); an earlier release's ids must leave the application's table.
            context.execute(forget_in_shared_table(our_revisions()))
        context.run_migrations()


def settle_legacy_schema(connection: sa.Connection, x: dict[str, str]) -> None:
    """Named with -x, or found: read under the deploy lock, in a transaction of its own."""
    schema = named_schema(x)
    if schema is None:
        idle = not connection.in_transaction()
        schema = find_legacy_schema(connection)
        if idle:  # leave it idle, so that Alembic opens (and commits) its own transaction
            connection.rollback()
    config.attributes[X_OPTION] = schema
    log.info("legacy tables: %s.agent_sessions, %s.session_messages", schema, schema)


def migrate(connection: sa.Connection) -> None:
    """Carry an earlier release's version rows over, then every pending revision."""
    context.configure(connection=connection, **COMMON_OPTIONS)
    with context.begin_transaction():
        moved = carry_over(connection, our_revisions())
        if moved:
            log.info(
                "moved this project's revision id(s) %s from public.alembic_version (the "
                "application's) to %s.%s; the application's own ids there stay as they were",
                ", ".join(moved), VERSION_TABLE_SCHEMA, VERSION_TABLE,
            )  # fmt: skip
        context.run_migrations()


def the_carry() -> Callable[[], None]:
    """The data revision's carry: that of the newest revision that has one."""
    for script in context.script.walk_revisions():
        carry = getattr(script.module, "carry", None)
        if carry is not None:
            return carry  # type: ignore[no-any-return]
    raise CommandError("no revision carries the history")


def carry_once_more() -> None:
    """The data revision's carry, as its upgrade runs it, outside the version chain."""
    with Operations.context(context.get_context()):
        the_carry()()


def carry_arrived(connection: sa.Connection) -> None:
    """At head only: carry what the application wrote since the last run, or say that
    nothing arrived. Our version table is read, never written; the application's, neither."""
    idle = not connection.in_transaction()
    context.configure(connection=connection, **COMMON_OPTIONS)
    at, head = context.get_context().get_current_revision(), context.script.get_current_head()
    if at != head:
        raise CommandError(
            f"-x carry={CARRY} carries at head only, and the database is at {at or 'base'}: "
            "deploy with alembic upgrade head first"
        )
    retired = retirement_in_force(connection)
    since = None if retired else since_last_run(connection, config.attributes[X_OPTION])
    if idle:  # leave it idle, so that Alembic opens (and commits) its own transaction
        connection.rollback()
    if retired is not None:  # a timer left running after aria-finish retire
        when = retired.retired_at.isoformat(timespec="seconds")
        log.info("S8-06 carry: the legacy tables in %s were retired on %s; nothing to carry",
                 retired.legacy_schema, when)  # fmt: skip
        return
    if since is not None and since.nothing:
        log.info("S8-06 carry: nothing arrived since run %s (%s); nothing to do", since.run,
                 since.began_at.isoformat(timespec="seconds"))  # fmt: skip
        return
    if since is None:
        log.info("S8-06 carry: no run recorded what it read yet (runs before 0006); carrying "
                 "whatever the record does not hold")  # fmt: skip
    else:
        log.info("S8-06 carry: %s session(s) and %s message(s) arrived since run %s; carrying "
                 "them", f"{since.sessions:,}", f"{since.messages:,}", since.run)  # fmt: skip
    with context.begin_transaction():
        carry_once_more()


def run_on(connection: sa.Connection, x: dict[str, str]) -> None:
    wait = float(x.get("migration_lock_wait", 0))
    with deploy_lock(connection, wait or DEFAULT_WAIT_SECONDS, log):
        settle_legacy_schema(connection, x)
        work = carry_arrived if "carry" in x else migrate
        if x.get("rehearse") == "true":
            rehearse(connection, work)
            return
        work(connection)


def rehearse(connection: sa.Connection, work: Callable[[sa.Connection], None]) -> None:
    """``work`` for real (every pending revision, or a carry), reports included, in one
    transaction; then roll back.

    Configured inside a transaction it did not open, Alembic leaves the commit to us, and we
    never make it: the version table goes back with everything else."""
    transaction = connection.begin_nested() if connection.in_transaction() else connection.begin()
    try:
        work(connection)
    finally:
        transaction.rollback()
    log.info("rehearsal: rolled back; the database, version tables included, is as it was")


def run_migrations_online(x: dict[str, str]) -> None:
    connectable = config.attributes.get("connection")
    try:
        if connectable is None:
            connectable = migration_engine(database_url())
        if isinstance(connectable, sa.Connection):
            run_on(connectable, x)
        else:
            with connectable.connect() as connection:
                run_on(connection, x)
    except DatabaseURLError as error:
        raise CommandError(f"{error} (or use --sql to print the SQL without a database)") from None
    except (DeployLockTimeoutError, AmbiguousLegacySchemaError) as error:
        raise CommandError(str(error)) from None
    except sa.exc.SQLAlchemyError as error:  # the database's own error, or a dead connection
        raise CommandError(one_line(error)) from None


def report_failure_once() -> None:
    """Alembic reports a failed command twice: a log line on stderr and ``FAILED: …`` on
    stdout, where ``--sql > migration.sql`` would send it into the file. Keep the log line
    (alembic.ini prints it as ``FAILED: …``): set the one switch Alembic's report reads."""
    vars(config)["messaging_opts"] = {"quiet": True}


try:
    x_options = x_arguments()
    if context.is_offline_mode():
        run_migrations_offline(x_options)
    else:
        run_migrations_online(x_options)
except CommandError:
    report_failure_once()
    raise
except BrokenPipeError:  # `alembic upgrade head --sql | head`: the reader has what it wanted
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
    sys.exit(1)
