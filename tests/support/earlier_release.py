"""A database that 0003 as first released migrated, before the record and the archive route.

That release put every legacy session into ``aria_engine.chat_sessions`` (those without a
message too), copied ``tokens_used`` / ``cost_usd`` as they were (NULL included), kept no
record, and never made the archive tables. Rebuilt here from this release's own result, since
the mapping is otherwise the same: checked against the released code itself (see the closing
note of issue 18) on both eras, row for row.
"""

from __future__ import annotations

import sqlalchemy as sa

from tests.support.commands import alembic
from tests.support.legacy import run_sql

OURS = "metadata->>'migrated_from' = 'agent_sessions'"
SESSION_COLUMNS = ("id, agent_id, session_type, title, system_prompt, model, temperature, "
                   "max_tokens, context_window, status, message_count, total_tokens, total_cost, "
                   "metadata, created_at, updated_at, ended_at")  # fmt: skip


def as_an_earlier_release_left_it(url: sa.URL, archive_tables_were_there: bool) -> None:
    """Migrate ``url`` with this release, then undo what only this release does: sessions
    without a message back into the live table, the legacy totals as they were, no record,
    no archive tables unless the application had made them, our version at 0003."""
    alembic("upgrade", "head", database_url=url)
    drop_archive = (
        ""
        if archive_tables_were_there
        else ("DROP TABLE aria_engine.chat_messages_archive, aria_engine.chat_sessions_archive;")
    )
    run_sql(url, f"""
        INSERT INTO aria_engine.chat_sessions ({SESSION_COLUMNS})
        SELECT {SESSION_COLUMNS} FROM aria_engine.chat_sessions_archive WHERE {OURS};
        DELETE FROM aria_engine.chat_sessions_archive WHERE {OURS};
        UPDATE aria_engine.chat_sessions
        SET total_tokens = (metadata->>'original_tokens_used')::integer,
            total_cost = (metadata->>'original_cost_usd')::numeric
        WHERE {OURS};
        DROP TABLE public.s8_06_carried_messages, public.s8_06_carried_sessions,
            public.s8_06_runs;
        {drop_archive}
        UPDATE public.alembic_version_aria_migrations
        SET version_num = '0003_s8_06_openclaw_history';
    """)  # fmt: skip
