"""Every model of the current schema, and the metadata env.py compares against."""

from db.base import Base, metadata
from db.chat import ChatMessage, ChatSession
from db.legacy import LegacyMessage, LegacySession

__all__ = ["Base", "ChatMessage", "ChatSession", "LegacyMessage", "LegacySession", "metadata"]
