"""Stand-in for the application's revision of this name: records itself, changes nothing."""

revision = "s49_baseline_all_tables"
down_revision = "s48_add_aria_engine_tables"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
