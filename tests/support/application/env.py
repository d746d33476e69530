"""The application's Alembic environment, in miniature: its version table is the default,
public.alembic_version, and it knows nothing of any other project's revisions."""

import sqlalchemy as sa
from alembic import context

url = context.config.attributes["url"]
engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, version_table_schema="public")
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
