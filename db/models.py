"""Every model of the current schema, and the metadata env.py compares against."""

from db.archive import ChatMessageArchive, ChatSessionArchive
from db.base import Base, metadata
from db.carried import CarriedMessage, CarriedRun, CarriedSession
from db.chat import ChatMessage, ChatSession
from db.legacy import LegacyMessage, LegacySession

__all__ = [
    "Base", "CarriedMessage", "CarriedRun", "CarriedSession", "ChatMessage",
    "ChatMessageArchive", "ChatSession", "ChatSessionArchive", "LegacyMessage",
    "LegacySession", "metadata",
]  # fmt: skip
