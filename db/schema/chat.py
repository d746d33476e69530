"""The engine's chat tables in ``aria_engine``, as the S1-01 revision (0002) builds them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.schema.base import Base

SCHEMA = "aria_engine"


class ChatSession(Base):
    __tablename__ = "chat_sessions"
    __table_args__ = (
        sa.Index("idx_chat_sessions_agent_id", "agent_id"),
        sa.Index("idx_chat_sessions_status", "status"),
        sa.Index("idx_chat_sessions_created_at", "created_at"),
        sa.Index("idx_chat_sessions_updated_at", sa.text("updated_at DESC")),
        {"schema": SCHEMA},
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, primary_key=True, server_default=sa.text("gen_random_uuid()")
    )
    agent_id: Mapped[str] = mapped_column(sa.String(100), server_default=sa.text("'main'"))
    session_type: Mapped[str] = mapped_column(
        sa.String(50), server_default=sa.text("'interactive'")
    )
    title: Mapped[str | None] = mapped_column(sa.String(500))
    system_prompt: Mapped[str | None] = mapped_column(sa.Text)
    model: Mapped[str | None] = mapped_column(sa.String(200))
    temperature: Mapped[float | None] = mapped_column(sa.Double, server_default=sa.text("0.7"))
    max_tokens: Mapped[int | None] = mapped_column(sa.Integer, server_default=sa.text("4096"))
    context_window: Mapped[int | None] = mapped_column(sa.Integer, server_default=sa.text("50"))
    status: Mapped[str] = mapped_column(sa.String(20), server_default=sa.text("'active'"))
    message_count: Mapped[int | None] = mapped_column(sa.Integer, server_default=sa.text("0"))
    total_tokens: Mapped[int | None] = mapped_column(sa.Integer, server_default=sa.text("0"))
    total_cost: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(10, 6), server_default=sa.text("0")
    )
    metadata_json: Mapped[Any] = mapped_column(
        "metadata", JSONB, nullable=True, server_default=sa.text("'{}'::jsonb")
    )
    created_at: Mapped[datetime | None] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("now()")
    )
    updated_at: Mapped[datetime | None] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("now()")
    )
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (
        sa.Index("idx_chat_messages_session_id", "session_id"),
        sa.Index("idx_chat_messages_role", "role"),
        sa.Index("idx_chat_messages_created_at", "created_at"),
        {"schema": SCHEMA},
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, primary_key=True, server_default=sa.text("gen_random_uuid()")
    )
    session_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey(f"{SCHEMA}.chat_sessions.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(sa.String(20))
    content: Mapped[str] = mapped_column(sa.Text)
    thinking: Mapped[str | None] = mapped_column(sa.Text)
    tool_calls: Mapped[Any | None] = mapped_column(JSONB)
    tool_results: Mapped[Any | None] = mapped_column(JSONB)
    model: Mapped[str | None] = mapped_column(sa.String(200))
    tokens_input: Mapped[int | None] = mapped_column(sa.Integer)
    tokens_output: Mapped[int | None] = mapped_column(sa.Integer)
    cost: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 6))
    latency_ms: Mapped[int | None] = mapped_column(sa.Integer)
    metadata_json: Mapped[Any] = mapped_column(
        "metadata", JSONB, nullable=True, server_default=sa.text("'{}'::jsonb")
    )
    created_at: Mapped[datetime | None] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("now()")
    )
