"""The legacy OpenClaw tables in ``public``, as production holds them (revision 0001).

The Python attribute for the JSONB column is ``metadata_json`` because ``metadata`` is taken
by SQLAlchemy; the column itself is ``metadata``. SQL must always say ``metadata``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from db.schema.base import Base

SCHEMA = "public"


class LegacySession(Base):
    __tablename__ = "agent_sessions"
    __table_args__ = (
        sa.Index("idx_agent_sessions_agent_id", "agent_id"),
        sa.Index("idx_agent_sessions_status", "status"),
        sa.Index("idx_agent_sessions_started_at", sa.text("started_at DESC")),
        sa.Index(
            "idx_agent_sessions_openclaw_session_id",
            sa.text("(metadata ->> 'openclaw_session_id')"),
        ),
        {"schema": SCHEMA},
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, primary_key=True, server_default=sa.text("gen_random_uuid()")
    )
    agent_id: Mapped[str] = mapped_column(sa.String(100))
    session_type: Mapped[str | None] = mapped_column(
        sa.String(50), server_default=sa.text("'interactive'")
    )
    started_at: Mapped[datetime | None] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("now()")
    )
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    messages_count: Mapped[int | None] = mapped_column(sa.Integer, server_default=sa.text("0"))
    tokens_used: Mapped[int | None] = mapped_column(sa.Integer, server_default=sa.text("0"))
    cost_usd: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 6), server_default=sa.text("0"))
    status: Mapped[str | None] = mapped_column(sa.String(50), server_default=sa.text("'active'"))
    metadata_json: Mapped[Any] = mapped_column(
        "metadata", JSONB, nullable=True, server_default=sa.text("'{}'::jsonb")
    )


class LegacyMessage(Base):
    __tablename__ = "session_messages"
    __table_args__ = (
        sa.UniqueConstraint(
            "external_session_id",
            "role",
            "content_hash",
            name="uq_session_messages_external_role_hash",
        ),
        sa.Index("idx_session_messages_session_id", "session_id"),
        # Lookups by external_session_id use the unique constraint's index, which leads with it.
        {"schema": SCHEMA},
    )

    id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, primary_key=True, server_default=sa.text("gen_random_uuid()")
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey(f"{SCHEMA}.agent_sessions.id", ondelete="SET NULL")
    )
    external_session_id: Mapped[str | None] = mapped_column(sa.String(120))
    agent_id: Mapped[str | None] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(20))
    content: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    source_channel: Mapped[str | None] = mapped_column(sa.String(50))
    metadata_json: Mapped[Any] = mapped_column(
        "metadata", JSONB, nullable=True, server_default=sa.text("'{}'::jsonb")
    )
    created_at: Mapped[datetime | None] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("now()")
    )
