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

from db.schema.archive import ChatMessageArchive, ChatSessionArchive
from db.schema.chat import ChatMessage, ChatSession
from db.schema.legacy import LegacyMessage, LegacySession
from demo.legacy_history import build_legacy_history
from tests.support.commands import ROOT

_counter = itertools.count(1)


def revision_module() -> ModuleType:
    """The data revision, loaded by path: revision files are not importable modules."""
    path = ROOT / "alembic" / "versions" / "0007_s8_06_placed_and_titled.py"
    spec = importlib.util.spec_from_file_location("s8_06_placed_and_titled", path)
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
    schema: str = "public",
) -> None:
    """Insert legacy rows (into ``schema``). ``metadata=None`` is JSON null;
    ``metadata=sa.null()`` SQL NULL."""
    where = {"schema_translate_map": {"public": schema}}
    for table, rows in ((LegacySession.__table__, sessions), (LegacyMessage.__table__, messages)):
        for row in rows or []:
            connection.execute(sa.insert(table).values(row), execution_options=where)


def migrate(alembic_cfg: Config, db: sa.Connection) -> None:
    """Commit what ``db`` seeded, then ``alembic upgrade head``."""
    db.commit()
    command.upgrade(alembic_cfg, "head")


def engine_sessions(connection: sa.Connection) -> dict[uuid.UUID, Any]:
    """Every engine session, live or archived (``row.archived`` says which)."""
    return _live_and_archived(connection, ChatSession.__table__, ChatSessionArchive.__table__)


def engine_messages(connection: sa.Connection) -> dict[uuid.UUID, Any]:
    """Every engine message, live or archived (``row.archived`` says which)."""
    return _live_and_archived(connection, ChatMessage.__table__, ChatMessageArchive.__table__)


def _live_and_archived(connection: sa.Connection, live: sa.Table, archive: sa.Table) -> dict[
        uuid.UUID, Any]:  # fmt: skip
    rows = sa.union_all(
        sa.select(*live.c, sa.false().label("archived")),
        sa.select(*(archive.c[c.name] for c in live.c), sa.true().label("archived")),
    )
    found: dict[uuid.UUID, Any] = {}
    for row in connection.execute(rows):
        assert row.id not in found, f"{row.id} is both live and archived"
        found[row.id] = row
    return found


def production_history(url: sa.URL, size: int, messages: int | None = None) -> sa.URL:
    """Production-shaped legacy tables at ``url`` (no Alembic yet), holding the benchmark's
    generated history of ``size`` sessions and ``messages`` messages (``size`` unless given)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        build_legacy_history(connection, size, messages)
    engine.dispose()
    return url
