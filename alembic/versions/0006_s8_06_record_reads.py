"""The record learns what each run read (the snapshot its plan was read under), and keeps
the legacy tables' retirement.

Revision ID: 0006_s8_06_record_reads
Revises: 0005_s8_06_history_kept
Create Date: 2026-12-05

The application keeps writing the legacy tables after every deploy (skill runs, sentiment
scoring), so a legacy row the record does not hold is either one that arrived after the last
run read the tables, or one a run read and lost. ``public.s8_06_runs.read_snapshot`` keeps,
for each run, ``pg_current_snapshot()`` taken just before its plan: a legacy row whose
inserting transaction that snapshot can see existed when the run read the tables; any other
arrived since. PostgreSQL's own bookkeeping tells the two apart, with nothing stored per row.

``public.s8_06_retirements``: each time ``aria-finish retire`` renamed the legacy tables
(when, in which schema, by which role), and whether that was undone or the tables dropped
since; ``aria-verify`` reads it to keep verifying against the retired tables. Numbered
``max(id) + 1``, no sequence: a rehearsal rolled back leaves nothing behind.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.migrate.adoption import drop_table_if_empty, require_columns
from db.migrate.settings import send_deploy_settings

revision: str = "0006_s8_06_record_reads"
down_revision: str | Sequence[str] | None = "0005_s8_06_history_kept"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    send_deploy_settings()
    # text, not pg_snapshot: readable in the table as it is, and cast where it is compared.
    op.execute("ALTER TABLE public.s8_06_runs ADD COLUMN IF NOT EXISTS read_snapshot text")
    op.execute(require_columns("public.s8_06_runs", ["run", "began_at", "legacy_schema",
                                                     "read_snapshot"]))  # fmt: skip
    retirements = op.create_table(
        "s8_06_retirements",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("legacy_schema", sa.Text, nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("now()")),
        sa.Column("retired_by", sa.Text, nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True)),
        sa.Column("undone_by", sa.Text),
        sa.Column("dropped_at", sa.DateTime(timezone=True)),
        sa.Column("dropped_by", sa.Text),
        schema="public",
        if_not_exists=True,
    )  # fmt: skip
    op.execute(require_columns("public.s8_06_retirements", list(retirements.c.keys())))


def downgrade() -> None:
    send_deploy_settings()
    # Only while no retirement is recorded: the record is the operator's account of it.
    op.execute(drop_table_if_empty("public.s8_06_retirements"))
    # The snapshots stay: they are the record's evidence of what each run read. The column
    # goes with its table, which 0004's downgrade drops only while no run is recorded.
