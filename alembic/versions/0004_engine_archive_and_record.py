"""The engine's archive tables, and the record of what S8-06 carried.

Revision ID: 0004_engine_archive_and_record
Revises: 0003_s8_06_openclaw_history
Create Date: 2026-11-29

``aria_engine.chat_sessions_archive`` / ``chat_messages_archive`` are where the application
keeps the sessions it retires, and lists past conversations from; it creates them itself
(``create_all(checkfirst=True)``) the first time a cleanup runs, so a database an older
application ran lacks them. They are built here as the application builds them: the same
columns, types, NOT NULLs (its models' non-optional columns), defaults, foreign key and index
names, ``embedding`` as ``vector(1536)`` where pgvector is installed, else ``jsonb``. Tables
that exist are adopted as they are (columns checked, nothing altered), so the application
later finds them in place and never re-creates them.

``public.s8_06_runs`` / ``s8_06_carried_sessions`` / ``s8_06_carried_messages`` record each
run of the data revision and every legacy row it carried, by id: a row the record holds is
never written again, whatever the application did to it since.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from db.migrate.adoption import (
    create_index_unless_covered,
    create_table_with_embedding,
    drop_table_if_empty,
    require_columns,
)
from db.migrate.settings import send_deploy_settings

revision: str = "0004_engine_archive_and_record"
down_revision: str | Sequence[str] | None = "0003_s8_06_openclaw_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENGINE, RECORD = "aria_engine", "public"
EMPTY_JSON = sa.text("'{}'::jsonb")
NOW = sa.text("now()")


def _timestamp(name: str, **options: Any) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), **options)


def _archive_tables() -> tuple[sa.Table, sa.Table]:
    """Sessions and messages, in one MetaData (the messages' foreign key names the sessions);
    ``embedding``'s type is chosen in the database (``create_table_with_embedding``)."""
    shape = sa.MetaData()
    sessions = sa.Table("chat_sessions_archive", shape, *_archived_session_columns(),
                        schema=ENGINE)  # fmt: skip
    messages = sa.Table("chat_messages_archive", shape, *_archived_message_columns(),
                        schema=ENGINE)  # fmt: skip
    return sessions, messages


def _archived_session_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("agent_id", sa.String(100), nullable=False),
        sa.Column("session_type", sa.String(50), nullable=False),
        sa.Column("title", sa.String(500)),
        sa.Column("system_prompt", sa.Text),
        sa.Column("model", sa.String(200)),
        sa.Column("temperature", sa.Double, nullable=False, server_default=sa.text("0.7")),
        sa.Column("max_tokens", sa.Integer, nullable=False, server_default=sa.text("4096")),
        sa.Column("context_window", sa.Integer, nullable=False, server_default=sa.text("50")),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("message_count", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("total_tokens", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("total_cost", sa.Numeric(10, 6), nullable=False, server_default=sa.text("0")),
        sa.Column("metadata", JSONB, nullable=False, server_default=EMPTY_JSON),
        _timestamp("created_at", nullable=False),
        _timestamp("updated_at", nullable=False),
        _timestamp("ended_at"),
        _timestamp("archived_at", nullable=False, server_default=NOW),
    ]


def _archived_message_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column(
            "session_id",
            sa.Uuid,
            sa.ForeignKey(f"{ENGINE}.chat_sessions_archive.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("agent_id", sa.String(100)),
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
        sa.Column("embedding", JSONB),
        sa.Column("metadata", JSONB, nullable=False, server_default=EMPTY_JSON),
        _timestamp("created_at", nullable=False),
        _timestamp("archived_at", nullable=False, server_default=NOW),
    ]


# The application's own index names (its models'), on the keys its archive listing reads.
ARCHIVE_INDEXES = (
    ("idx_ecsa_archived", "chat_sessions_archive", "archived_at DESC"),
    ("idx_ecsa_session_type", "chat_sessions_archive", "session_type"),
    ("idx_ecsa_status", "chat_sessions_archive", "status"),
    ("idx_ecsa_updated", "chat_sessions_archive", "updated_at DESC"),
    ("idx_ecma_session", "chat_messages_archive", "session_id"),
    ("idx_ecma_role", "chat_messages_archive", "role"),
)


def _record_tables() -> list[tuple[str, list[sa.Column[Any]]]]:
    # No foreign key from a carried row to its run: a trigger call per carried row, for a
    # reference only this project writes.
    def carried() -> list[sa.Column[Any]]:
        return [
            sa.Column("id", sa.Uuid, primary_key=True),  # the legacy row's id, kept
            sa.Column("run", sa.BigInteger, nullable=False),
            # Carried by a release before the record existed: found in the engine, recorded.
            sa.Column("earlier_release", sa.Boolean, nullable=False,
                      server_default=sa.false()),
        ]  # fmt: skip

    return [
        ("s8_06_runs", [
            # Numbered by the data revision (the newest + 1): no sequence, so that a
            # rehearsal rolled back leaves nothing behind.
            sa.Column("run", sa.BigInteger, primary_key=True, autoincrement=False),
            _timestamp("began_at", nullable=False, server_default=NOW),
            sa.Column("legacy_schema", sa.Text, nullable=False),
        ]),
        ("s8_06_carried_sessions", carried()),
        ("s8_06_carried_messages", carried()),
    ]  # fmt: skip


def upgrade() -> None:
    send_deploy_settings()
    sessions, messages = _archive_tables()
    op.execute(sa.schema.CreateTable(sessions, if_not_exists=True))
    op.execute(create_table_with_embedding(messages))
    for table in (sessions, messages):
        op.execute(require_columns(f"{ENGINE}.{table.name}", list(table.c.keys())))
    for name, table_name, key in ARCHIVE_INDEXES:
        op.execute(create_index_unless_covered(name, f"{ENGINE}.{table_name}", key))
    for name, columns in _record_tables():
        op.create_table(name, *columns, schema=RECORD, if_not_exists=True)


def downgrade() -> None:
    send_deploy_settings()
    # The record goes only while it is empty: it is the proof of what was carried. The
    # archive tables stay: they are the application's, which creates them anyway, and hold
    # its retired sessions as well as ours.
    for name, _columns in reversed(_record_tables()):
        op.execute(drop_table_if_empty(f"{RECORD}.{name}"))
