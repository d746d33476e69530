"""Stand-in for the application's revision of this name: records itself, changes nothing."""

revision = "s48_add_aria_engine_tables"
down_revision = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
