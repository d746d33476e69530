"""Stand-in for the application's revision of this name: records itself, changes nothing."""

revision = "s50_add_embedding_agent_id_to_chat_messages"
down_revision = "s49_baseline_all_tables"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
