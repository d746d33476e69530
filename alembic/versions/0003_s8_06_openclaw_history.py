"""S8-06 as first released: retired, its work done by 0007.

Revision ID: 0003_s8_06_openclaw_history
Revises: 0002_s1_01_engine_schema
Create Date: 2026-11-24

As released, this revision put every legacy session into ``aria_engine.chat_sessions``,
those without a message too, and proved its work by finding its rows there. The
application's ghost purge deletes every session with ``message_count = 0`` within the hour,
and its cleanups move old sessions into the archive: three legacy sessions in four were lost
for good after one pass of its loops, and a batched run under them failed its own proof.

This is the one revision whose shipped effect loses data, so it is the one exception to "fix
forward": its id stays in the chain (every database that ran it stays at a known revision),
and its upgrade does nothing. 0004 adds the archive tables and the record of what was
carried; 0007 carries the history where the engine keeps it, and on a database where this
revision ran, first adopts what it left (see 0007's docstring).
"""

from collections.abc import Sequence

revision: str = "0003_s8_06_openclaw_history"
down_revision: str | Sequence[str] | None = "0002_s1_01_engine_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Retired: 0007 does this revision's work, where the application's loops cannot undo it.
    pass


def downgrade() -> None:
    # Nothing to undo: the upgrade does nothing (and as released, it never removed a row).
    pass
