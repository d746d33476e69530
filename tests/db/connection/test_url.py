"""DATABASE_URL handling: accepted schemes, one-line errors, and no password in any of them."""

from __future__ import annotations

import pytest

from db.connection.url import DatabaseURLError, database_url, describe, parse_database_url

SECRET = "pw-sentinel-7Qx"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_postgres_schemes_drive_psycopg3(scheme: str) -> None:
    url = parse_database_url(f"{scheme}://aria:{SECRET}@db.internal:6432/aria?sslmode=require")
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database, url.password) == ("db.internal", 6432, "aria", SECRET)
    assert url.query == {"sslmode": "require"}


def test_unix_socket_urls_are_accepted() -> None:
    url = parse_database_url("postgresql://postgres:@/postgres?host=/tmp/pg")
    assert url.database == "postgres"
    assert url.query == {"host": "/tmp/pg"}


def test_missing_url_says_what_to_set() -> None:
    with pytest.raises(DatabaseURLError) as error:
        database_url({})
    message = str(error.value)
    assert "DATABASE_URL is not set" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "raw",
    [
        f"mysql://aria:{SECRET}@db/aria",
        f"aria:{SECRET}@db/aria",
        f"postgresql://aria:{SECRET}@db:notaport/aria",
        f"postgresql://aria:{SECRET}@db:5432",
    ],
)
def test_bad_urls_fail_in_one_line_without_the_password(raw: str) -> None:
    with pytest.raises(DatabaseURLError) as error:
        parse_database_url(raw)
    message = str(error.value)
    assert SECRET not in message
    assert "\n" not in message
    assert message.startswith("DATABASE_URL")
    # A chained SQLAlchemy error would print the URL in the traceback.
    assert error.value.__context__ is None or error.value.__suppress_context__


def test_describe_masks_the_password() -> None:
    shown = describe(parse_database_url(f"postgresql://aria:{SECRET}@db/aria"))
    assert SECRET not in shown
    assert "aria@db" in shown.replace(":***", "")
