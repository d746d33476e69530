"""The engine's archive tables in ``aria_engine``, as the application builds them (0004): where
it moves the sessions it retires, and where S8-06 puts legacy sessions that hold no message."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.schema.base import Base
from db.schema.chat import SCHEMA

NOW = sa.text("now()")


class ChatSessionArchive(Base):
    __tablename__ = "chat_sessions_archive"
    __table_args__ = (
        sa.Index("idx_ecsa_archived", sa.text("archived_at DESC")),
        sa.Index("idx_ecsa_session_type", "session_type"),
        sa.Index("idx_ecsa_status", "status"),
        sa.Index("idx_ecsa_updated", sa.text("updated_at DESC")),
        {"schema": SCHEMA},
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    agent_id: Mapped[str] = mapped_column(sa.String(100))
    session_type: Mapped[str] = mapped_column(sa.String(50))
    title: Mapped[str | None] = mapped_column(sa.String(500))
    system_prompt: Mapped[str | None] = mapped_column(sa.Text)
    model: Mapped[str | None] = mapped_column(sa.String(200))
    temperature: Mapped[float] = mapped_column(sa.Double, server_default=sa.text("0.7"))
    max_tokens: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("4096"))
    context_window: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("50"))
    status: Mapped[str] = mapped_column(sa.String(20))
    message_count: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
    total_tokens: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("0"))
    total_cost: Mapped[Decimal] = mapped_column(sa.Numeric(10, 6), server_default=sa.text("0"))
    metadata_json: Mapped[Any] = mapped_column(
        "metadata", JSONB, server_default=sa.text("'{}'::jsonb")
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    archived_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=NOW)


class ChatMessageArchive(Base):
    __tablename__ = "chat_messages_archive"
    __table_args__ = (
        sa.Index("idx_ecma_session", "session_id"),
        sa.Index("idx_ecma_role", "role"),
        {"schema": SCHEMA},
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey(f"{SCHEMA}.chat_sessions_archive.id", ondelete="CASCADE")
    )
    agent_id: Mapped[str | None] = mapped_column(sa.String(100))
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
    # vector(1536) where pgvector is installed; jsonb here, as on a server without it.
    embedding: Mapped[Any | None] = mapped_column(JSONB)
    metadata_json: Mapped[Any] = mapped_column(
        "metadata", JSONB, server_default=sa.text("'{}'::jsonb")
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    archived_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=NOW)
