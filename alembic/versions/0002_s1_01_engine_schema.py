"""S1-01 engine schema: aria_engine.chat_sessions and aria_engine.chat_messages.

Revision ID: 0002_s1_01_engine_schema
Revises: 0001_legacy_baseline
Create Date: 2026-11-24

The engine's bootstrap may have created these already; as with the baseline, what exists
is adopted (columns checked, nothing altered) and what is missing is built. Production's
tables carry their indexes under the init script's names (``idx_ae_cs_agent`` …) and the
application's ORM's (``idx_ecs_updated_desc`` …): an index is built only where no existing
one already leads with its key, whatever its name or direction.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from db.migrate.adoption import (
    create_index_unless_covered,
    drop_schema_if_empty,
    drop_table_if_empty,
    require_columns,
)
from db.migrate.settings import send_deploy_settings

revision: str = "0002_s1_01_engine_schema"
down_revision: str | Sequence[str] | None = "0001_legacy_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "aria_engine"
EMPTY_JSON = sa.text("'{}'::jsonb")


def _chat_session_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Uuid, primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("agent_id", sa.String(100), nullable=False, server_default=sa.text("'main'")),
        sa.Column(
            "session_type", sa.String(50), nullable=False, server_default=sa.text("'interactive'")
        ),
        sa.Column("title", sa.String(500)),
        sa.Column("system_prompt", sa.Text),
        sa.Column("model", sa.String(200)),
        sa.Column("temperature", sa.Double, server_default=sa.text("0.7")),
        sa.Column("max_tokens", sa.Integer, server_default=sa.text("4096")),
        sa.Column("context_window", sa.Integer, server_default=sa.text("50")),
        sa.Column("status", sa.String(20), nullable=False, server_default=sa.text("'active'")),
        sa.Column("message_count", sa.Integer, server_default=sa.text("0")),
        sa.Column("total_tokens", sa.Integer, server_default=sa.text("0")),
        sa.Column("total_cost", sa.Numeric(10, 6), server_default=sa.text("0")),
        sa.Column("metadata", JSONB, server_default=EMPTY_JSON),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
    ]


def _chat_message_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Uuid, primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column(
            "session_id",
            sa.Uuid,
            sa.ForeignKey(f"{SCHEMA}.chat_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("thinking", sa.Text),
        sa.Column("tool_calls", JSONB),
        sa.Column("tool_results", JSONB),
        sa.Column("model", sa.String(200)),
        sa.Column("tokens_input", sa.Integer),
        sa.Column("tokens_output", sa.Integer),
        sa.Column("cost", sa.Numeric(10, 6)),
        sa.Column("latency_ms", sa.Integer),
        sa.Column("metadata", JSONB, server_default=EMPTY_JSON),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
    ]


def upgrade() -> None:
    send_deploy_settings()
    op.execute(sa.schema.CreateSchema(SCHEMA, if_not_exists=True))
    sessions = op.create_table(
        "chat_sessions", *_chat_session_columns(), schema=SCHEMA, if_not_exists=True
    )
    messages = op.create_table(
        "chat_messages", *_chat_message_columns(), schema=SCHEMA, if_not_exists=True
    )
    op.execute(require_columns(f"{SCHEMA}.chat_sessions", list(sessions.c.keys())))
    op.execute(require_columns(f"{SCHEMA}.chat_messages", list(messages.c.keys())))

    for name, table, key in (
        ("idx_chat_sessions_agent_id", "chat_sessions", "agent_id"),
        ("idx_chat_sessions_status", "chat_sessions", "status"),
        ("idx_chat_sessions_created_at", "chat_sessions", "created_at"),
        ("idx_chat_sessions_updated_at", "chat_sessions", "updated_at DESC"),
        ("idx_chat_messages_session_id", "chat_messages", "session_id"),
        ("idx_chat_messages_role", "chat_messages", "role"),
        ("idx_chat_messages_created_at", "chat_messages", "created_at"),
    ):
        op.execute(create_index_unless_covered(name, f"{SCHEMA}.{table}", key))


def downgrade() -> None:
    send_deploy_settings()
    # Empty tables only: the engine's bootstrap may have created them, and live chats may
    # be in them; a downgrade never deletes a row. The schema goes only once it is empty.
    op.execute(drop_table_if_empty(f"{SCHEMA}.chat_messages"))
    op.execute(drop_table_if_empty(f"{SCHEMA}.chat_sessions"))
    op.execute(drop_schema_if_empty(SCHEMA))
