"""What the schemas are now: every model, and the metadata env.py compares against. Never
imported by a revision or by ``db.migrate`` (tests/test_fence.py)."""

from db.schema.archive import ChatMessageArchive, ChatSessionArchive
from db.schema.base import Base, metadata
from db.schema.carried import CarriedMessage, CarriedRun, CarriedSession
from db.schema.chat import ChatMessage, ChatSession
from db.schema.legacy import LegacyMessage, LegacySession

__all__ = [
    "Base", "CarriedMessage", "CarriedRun", "CarriedSession", "ChatMessage",
    "ChatMessageArchive", "ChatSession", "ChatSessionArchive", "LegacyMessage",
    "LegacySession", "metadata",
]  # fmt: skip
