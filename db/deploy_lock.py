"""The deploy lock: an advisory lock that makes concurrent deploys queue instead of collide.

Session-level (not transaction-level) so that it outlives the commits of batched runs, and
taken with a bounded wait so that a stuck deploy fails with a message instead of hanging.
"""

from __future__ import annotations

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


def _take_lock(connection: sa.Connection, wait_seconds: float) -> None:
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
def deploy_lock(connection: sa.Connection, wait_seconds: float) -> Iterator[None]:
    """Hold the deploy lock on ``connection`` for the block."""
    owns_transaction = not connection.in_transaction()
    _take_lock(connection, wait_seconds)
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
