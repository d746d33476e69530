"""Seeding legacy rows and reading migrated ones, for the S8-06 tests."""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import uuid
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from db.chat import ChatMessage, ChatSession
from db.legacy import LegacyMessage, LegacySession
from demo.legacy_history import build_legacy_history
from tests.support.commands import ROOT

_counter = itertools.count(1)


def revision_module() -> ModuleType:
    """The data revision, loaded by path: revision files are not importable modules."""
    path = ROOT / "alembic" / "versions" / "0003_s8_06_openclaw_history.py"
    spec = importlib.util.spec_from_file_location("s8_06_openclaw_history", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def legacy_session(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"id": uuid.uuid4(), "agent_id": "main"}
    row.update(values)
    return row


def legacy_message(**values: Any) -> dict[str, Any]:
    n = next(_counter)
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "role": "user",
        "content": f"message {n}",
        "content_hash": hashlib.sha256(str(n).encode()).hexdigest(),
    }
    row.update(values)
    return row


def seed(
    connection: sa.Connection,
    sessions: list[dict[str, Any]] | None = None,
    messages: list[dict[str, Any]] | None = None,
) -> None:
    """Insert legacy rows. ``metadata=None`` is JSON null; ``metadata=sa.null()`` SQL NULL."""
    for table, rows in ((LegacySession.__table__, sessions), (LegacyMessage.__table__, messages)):
        for row in rows or []:
            connection.execute(sa.insert(table).values(row))


def migrate(alembic_cfg: Config, db: sa.Connection) -> None:
    """Commit what ``db`` seeded, then ``alembic upgrade head``."""
    db.commit()
    command.upgrade(alembic_cfg, "head")


def engine_sessions(connection: sa.Connection) -> dict[uuid.UUID, Any]:
    return {r.id: r for r in connection.execute(sa.select(ChatSession.__table__))}


def engine_messages(connection: sa.Connection) -> dict[uuid.UUID, Any]:
    return {r.id: r for r in connection.execute(sa.select(ChatMessage.__table__))}


def production_history(url: sa.URL, size: int) -> sa.URL:
    """Production-shaped legacy tables at ``url`` (no Alembic yet), holding the benchmark's
    generated history of ``size`` sessions and ``size`` messages."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        build_legacy_history(connection, size)
    engine.dispose()
    return url
