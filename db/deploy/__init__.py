"""What ``alembic/env.py`` runs around the revisions: the deploy lock, our version table,
and finding the schema that holds the legacy tables."""
