"""The deploy lock: an advisory lock that makes concurrent deploys queue instead of collide.

Session-level (not transaction-level) so that it outlives the commits of batched runs, and
taken with a bounded wait so that a stuck deploy fails with a message instead of hanging.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

# "AriaMigr" in ASCII: one key for every deploy of this project against one database.
LOCK_KEY = 0x417269614D696772
DEFAULT_WAIT_SECONDS = 600
_LOCK_NOT_AVAILABLE = "55P03"


class DeployLockTimeoutError(Exception):
    """Another deploy held the lock for longer than we were willing to wait."""


def _set(connection: sa.Connection, name: str, value: str) -> None:
    connection.execute(
        sa.text("SELECT set_config(:name, :value, false)"), {"name": name, "value": value}
    )


# The holder of our advisory lock: a bigint key is kept as two halves in pg_locks. Advisory
# locks belong to a database: a deploy of another database on the same server holds the same
# key without being in our way, and must not be named.
_HOLDER = sa.text("""
SELECT activity.pid, activity.application_name, activity.backend_start,
       round(extract(epoch FROM now() - activity.backend_start)) AS seconds
FROM pg_catalog.pg_locks AS lock
JOIN pg_catalog.pg_stat_activity AS activity ON activity.pid = lock.pid
WHERE lock.locktype = 'advisory' AND lock.granted AND lock.objsubid = 1
  AND lock.classid = :high AND lock.objid = :low
  AND lock.database = (
      SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()
  )
""")


def _holder(connection: sa.Connection) -> str:
    """Who holds the lock, and since when, as far as PostgreSQL shows this role."""
    row = connection.execute(
        _HOLDER, {"high": LOCK_KEY >> 32, "low": LOCK_KEY & 0xFFFFFFFF}
    ).first()
    if row is None:
        return "another session holds it"
    held = f"held by backend {row.pid}"
    if row.application_name:
        held += f" ({row.application_name})"
    if row.backend_start is not None:  # taken as it connected: our runs lock first thing
        held += f", connected since {row.backend_start:%Y-%m-%d %H:%M:%S %Z} ({row.seconds:,.0f} s)"
    return held


def _take_lock(connection: sa.Connection, wait_seconds: float, log: logging.Logger) -> None:
    if connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}):
        return
    log.info(
        "waiting for the deploy lock (another migration is running): %s; waiting up to %g s "
        "(-x migration_lock_wait=SECONDS)", _holder(connection), wait_seconds,
    )  # fmt: skip
    previous = connection.scalar(sa.text("SELECT current_setting('lock_timeout')"))
    _set(connection, "lock_timeout", f"{max(1, round(wait_seconds * 1000))}ms")
    try:
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        connection.rollback()
        raise DeployLockTimeoutError(
            f"another migration has held the deploy lock for over {wait_seconds:g} s; "
            "wait for it to finish, or raise -x migration_lock_wait=SECONDS"
        ) from None
    _set(connection, "lock_timeout", previous)


@contextmanager
def deploy_lock(
    connection: sa.Connection, wait_seconds: float, log: logging.Logger
) -> Iterator[None]:
    """Hold the deploy lock on ``connection`` for the block; a wait is logged once."""
    owns_transaction = not connection.in_transaction()
    _take_lock(connection, wait_seconds, log)
    if owns_transaction:
        # Leave the connection idle so that Alembic opens (and commits) its own transaction.
        connection.commit()
    try:
        yield
    finally:
        if connection.in_transaction() and owns_transaction:
            connection.rollback()
        if not connection.invalidated and not connection.closed:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            if owns_transaction:
                connection.commit()
