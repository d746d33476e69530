"""Legacy baseline: agent_sessions and session_messages as production holds them.

Revision ID: 0001_legacy_baseline
Revises:
Create Date: 2026-11-24

Production built these tables with init scripts, long before Alembic: on such a database
this revision adopts them (creates nothing that exists, checks the columns the project
relies on, never alters a table). On an empty database it builds them. They live in
``public`` until 2026-02-21 and in ``aria_data`` after (``db/migrate/eras.py``): this
revision adopts them where they are, and the guard it sends first stops it before it would
build an empty pair in one era's schema while the other's holds the history.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.schema import SchemaItem

from db.migrate.adoption import create_index_unless_covered, drop_table_if_empty, require_columns
from db.migrate.eras import guard, legacy_schema
from db.migrate.settings import send_deploy_settings

revision: str = "0001_legacy_baseline"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMPTY_JSON = sa.text("'{}'::jsonb")


def _legacy_session_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Uuid, primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("agent_id", sa.String(100), nullable=False),
        sa.Column("session_type", sa.String(50), server_default=sa.text("'interactive'")),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("messages_count", sa.Integer, server_default=sa.text("0")),
        sa.Column("tokens_used", sa.Integer, server_default=sa.text("0")),
        sa.Column("cost_usd", sa.Numeric(10, 6), server_default=sa.text("0")),
        sa.Column("status", sa.String(50), server_default=sa.text("'active'")),
        sa.Column("metadata", JSONB, server_default=EMPTY_JSON),
    ]


def _legacy_message_columns(schema: str) -> list[SchemaItem]:
    return [
        sa.Column("id", sa.Uuid, primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column(
            "session_id",
            sa.Uuid,
            sa.ForeignKey(f"{schema}.agent_sessions.id", ondelete="SET NULL"),
        ),
        sa.Column("external_session_id", sa.String(120)),
        sa.Column("agent_id", sa.String(100)),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("source_channel", sa.String(50)),
        sa.Column("metadata", JSONB, server_default=EMPTY_JSON),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
        sa.UniqueConstraint(
            "external_session_id",
            "role",
            "content_hash",
            name="uq_session_messages_external_role_hash",
        ),
    ]


def upgrade() -> None:
    send_deploy_settings()
    schema = legacy_schema()
    op.execute(guard(schema))
    if schema != "public":
        op.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
    sessions = op.create_table(
        "agent_sessions", *_legacy_session_columns(), schema=schema, if_not_exists=True
    )
    messages = op.create_table(
        "session_messages", *_legacy_message_columns(schema), schema=schema, if_not_exists=True
    )
    # Checked before any index: an index on a missing column would fail less clearly.
    op.execute(require_columns(f"{schema}.agent_sessions", list(sessions.c.keys())))
    op.execute(require_columns(f"{schema}.session_messages", list(messages.c.keys())))

    openclaw_id = "(metadata ->> 'openclaw_session_id')"
    for name, table, key, deparsed in (
        ("idx_agent_sessions_agent_id", "agent_sessions", "agent_id", None),
        ("idx_agent_sessions_status", "agent_sessions", "status", None),
        ("idx_agent_sessions_started_at", "agent_sessions", "started_at DESC", None),
        ("idx_agent_sessions_openclaw_session_id", "agent_sessions", openclaw_id,
         "(metadata ->> 'openclaw_session_id'::text)"),
        ("idx_session_messages_session_id", "session_messages", "session_id", None),
        # external_session_id needs none: the unique constraint's index leads with it.
    ):  # fmt: skip
        op.execute(create_index_unless_covered(name, f"{schema}.{table}", key, deparsed=deparsed))


def downgrade() -> None:
    send_deploy_settings()
    schema = legacy_schema()
    # Only empty tables go: on an adopted production database these hold years of history,
    # and a downgrade never deletes a row. Their indexes go with them.
    op.execute(drop_table_if_empty(f"{schema}.session_messages"))
    op.execute(drop_table_if_empty(f"{schema}.agent_sessions"))
