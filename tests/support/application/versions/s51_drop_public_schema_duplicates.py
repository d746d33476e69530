"""Stand-in for the application's revision of this name: records itself, changes nothing."""

revision = "s51_drop_public_schema_duplicates"
down_revision = "s50_add_embedding_agent_id_to_chat_messages"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
