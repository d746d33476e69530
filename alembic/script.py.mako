"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

House rules for a revision (README, "Writing a revision"):
- Import only alembic, sqlalchemy, the standard library and db.migrate (tests/test_fence.py):
  never db.schema or anything that will move on; freeze what you need here with
  sa.table()/sa.column() or spell out the DDL.
- Schema-qualify every name (public., aria_engine.): a role's search_path may omit public.
- Build SQL with SQLAlchemy Core and send it with op.execute(); never concatenate SQL, and
  never read rows back unless behind context.is_offline_mode(): --sql must emit the same SQL.
- One linear head. Fix forward: never edit a revision that has shipped. Two were retired
  (upgrade emptied, id kept): 0003, whose shipped effect lost data, and 0005, superseded by
  0007's carry so that a fresh deploy reads the history once; see their docstrings.
- A downgrade never deletes a row; if it cannot undo without losing data, it refuses or
  does nothing, and its comment says why.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
