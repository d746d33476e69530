"""S8-06 carried where the engine keeps it: retired, its work done by 0007.

Revision ID: 0005_s8_06_history_kept
Revises: 0004_engine_archive_and_record
Create Date: 2026-11-29

As released, this revision carried every legacy session and message where the engine keeps
them, with the record of what it carried. It placed a message that carries only an external
session id by two of the three metadata keys the application resolves it by (not by
``aria_session_id``, the application's key since 2026-02-19), and titled a session only from
its OpenClaw label.

0007 is this revision's carry with both fixed: the same plan, statements, record and proof.
Its id stays in the chain, and its upgrade does nothing, so that a database that has not run
it reads the history once (in 0007), not twice; a database that ran it is carried forward by
0007, which finds this revision's rows in the record and writes only what it did not.
Unlike 0003 it lost nothing: its rows are 0007's rows.
"""

from collections.abc import Sequence

revision: str = "0005_s8_06_history_kept"
down_revision: str | Sequence[str] | None = "0004_engine_archive_and_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Retired: 0007 carries everything this revision carried, by the application's rule.
    pass


def downgrade() -> None:
    # Nothing to undo: the upgrade does nothing (and as released, it never removed a row).
    pass
