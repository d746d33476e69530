"""The one place that turns ``DATABASE_URL`` into an engine URL.

Operators export the URL their platform gives them (``postgres://`` from Heroku-style
providers, ``postgresql://`` from most others); both are driven through psycopg 3. Every
error raised here is one line and never repeats the URL, which may carry a password.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError

ENV_VAR = "DATABASE_URL"
DRIVER = "postgresql+psycopg"
_ACCEPTED_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class DatabaseURLError(Exception):
    """DATABASE_URL is missing or unusable; the message is safe to show (no password)."""


def database_url(environ: Mapping[str, str] = os.environ) -> sa.URL:
    """Read ``DATABASE_URL`` and return it as a psycopg 3 SQLAlchemy URL."""
    raw = environ.get(ENV_VAR, "").strip()
    if not raw:
        raise DatabaseURLError(
            f"{ENV_VAR} is not set: export {ENV_VAR}=postgresql://USER@HOST:5432/DBNAME"
        )
    return parse_database_url(raw)


def parse_database_url(raw: str) -> sa.URL:
    """Parse a PostgreSQL URL; the error names the problem, never the URL itself."""
    scheme, sep, rest = raw.partition("://")
    if not sep or scheme.lower() not in _ACCEPTED_SCHEMES:
        shown = scheme if sep else "(none)"
        raise DatabaseURLError(
            f"{ENV_VAR} must start with postgresql:// or postgres:// (scheme found: {shown})"
        )
    try:
        url = sa.make_url(f"{DRIVER}://{rest}")
    except (ArgumentError, ValueError):
        # SQLAlchemy's message quotes the whole URL, password included.
        raise DatabaseURLError(f"{ENV_VAR} is not a valid PostgreSQL URL") from None
    if not url.database:
        raise DatabaseURLError(f"{ENV_VAR} names no database: add /DBNAME after the host")
    return url


def migration_engine(url: sa.URL) -> sa.Engine:
    """An engine whose connections search ``pg_catalog`` only.

    A revision that forgets to schema-qualify a name then fails in every test run instead of
    only under some customer's role settings, and no role's search_path changes what a
    migration does. Set on connect, before SQLAlchemy reads the default schema, as the
    SQLAlchemy documentation recommends: Alembic's comparisons depend on that order.
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    @sa.event.listens_for(engine, "connect", insert=True)
    def _pin_search_path(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SET search_path TO pg_catalog")
        cursor.close()
        dbapi_connection.commit()

    return engine


def describe(url: sa.URL) -> str:
    """The URL as it may appear in a log line: password masked."""
    return url.render_as_string(hide_password=True)


def database_error(error: BaseException) -> sa.exc.DBAPIError | None:
    """The driver's error behind ``error``, if any. A connection that died mid-statement
    fails twice: once in the statement, then again in whatever cleanup tries to use it
    (SQLAlchemy's ``PendingRollbackError``); the first one is what happened."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, sa.exc.DBAPIError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def one_line(error: sa.exc.SQLAlchemyError) -> str:
    """The server's own message, on one line: no statement, no parameters, no URL."""
    found = database_error(error)
    if found is None:  # SQLAlchemy's own: its first line (the rest is a link to its FAQ)
        return str(error).splitlines()[0].strip()
    error = found
    diag = getattr(error.orig, "diag", None)
    primary = getattr(diag, "message_primary", None) or str(error.orig)
    sqlstate = getattr(error.orig, "sqlstate", None)
    text = re.sub(r"\s+", " ", primary).strip()
    return f"{text} [SQLSTATE {sqlstate}]" if sqlstate else text
