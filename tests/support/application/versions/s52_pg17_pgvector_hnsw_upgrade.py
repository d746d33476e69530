"""Stand-in for the application's revision of this name: records itself, changes nothing."""

revision = "s52_pg17_pgvector_hnsw_upgrade"
down_revision = "s51_drop_public_schema_duplicates"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
