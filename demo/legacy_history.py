"""A legacy OpenClaw history of any size, generated inside PostgreSQL.

The shape follows production: several agents and session types, metadata carrying
``openclaw_session_id`` (and for some sessions ``external_session_id``), ids in random
order (UUIDs), and messages of which about a quarter reach their session only through an
external id. The same ``n`` gives the same rows on every run (ids are hashes of the row
number), so two runs of the benchmark migrate the same data.

Of the messages: 70 % carry ``session_id`` (and their external id), 20 % only an
``openclaw_session_id``, 5 % only an ``external_session_id``, 3 % an external id no session
has, 2 % no reference at all. One session in 50 reuses its neighbour's OpenClaw id (a tie
broken by ``started_at``), one in 100 has SQL NULL metadata, one in 200 a blank agent id.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

# The legacy tables as OpenClaw's init scripts made them (no Alembic, their own index names).
LEGACY_TABLES = (Path(__file__).parent / "openclaw_tables.sql").read_text()

SESSIONS = """
INSERT INTO public.agent_sessions
    (id, agent_id, session_type, started_at, ended_at, messages_count, tokens_used, cost_usd,
     status, metadata)
SELECT
    md5('session ' || i)::uuid,
    CASE WHEN i % 200 = 0 THEN ' '
         ELSE (ARRAY['main', 'research', 'coder', 'ops', 'support'])[1 + i % 5] END,
    (ARRAY['interactive', 'interactive', 'cron', 'subagent', NULL])[1 + i % 5],
    started_at,
    CASE WHEN i % 7 <> 0 THEN started_at + (i % 90) * interval '1 minute' END,
    i % 40, (i * 37) % 20000, ((i * 13) % 5000) / 10000.0,
    (ARRAY['ended', 'ended', 'active', 'error', 'completed'])[1 + i % 5],
    CASE WHEN i % 100 = 0 THEN NULL ELSE
        jsonb_build_object(
            'openclaw_session_id', 'oc-' || CASE WHEN i % 50 = 0 THEN i - 1 ELSE i END,
            'source', (ARRAY['openclaw', 'telegram', 'web', 'cron'])[1 + i % 4],
            'model', CASE WHEN i % 3 <> 0
                          THEN (ARRAY['qwen3-32b', 'kimi-k2', 'gpt-oss-120b'])[1 + i % 3] END,
            'openclaw_session', jsonb_build_object(
                'label', CASE WHEN i % 11 <> 0 THEN 'Conversation ' || i END,
                'model', 'openclaw/' || (ARRAY['fast', 'deep'])[1 + i % 2]))
        || CASE WHEN i % 10 = 1 THEN jsonb_build_object('external_session_id', 'ext-' || i)
                ELSE '{}'::jsonb END
    END
FROM generate_series(1::bigint, :n) AS i,
     LATERAL (SELECT timestamptz '2024-01-01 00:00+00' + i * interval '31 seconds'
              AS started_at) AS t
"""

MESSAGES = """
INSERT INTO public.session_messages
    (id, session_id, external_session_id, agent_id, role, content, content_hash,
     source_channel, metadata, created_at)
SELECT
    md5('message ' || j)::uuid,
    CASE WHEN kind < 70 THEN md5('session ' || k)::uuid END,
    CASE WHEN kind < 90 THEN 'oc-' || k
         WHEN kind < 95 THEN 'ext-' || (k - (k - 1) % 10)
         WHEN kind < 98 THEN 'gone-' || j
    END,
    (ARRAY['main', 'research', 'coder', 'ops', 'support'])[1 + k % 5],
    (ARRAY['user', 'assistant', 'assistant', 'tool', 'system'])[1 + j % 5],
    'Message ' || j || ': ' || repeat('lorem ipsum ', (1 + j % 20)::int),
    md5('message ' || j),
    (ARRAY['telegram', 'web', 'cli', NULL])[1 + j % 4],
    CASE WHEN j % 25 = 0 THEN NULL ELSE jsonb_build_object('tokens', j % 900) END,
    timestamptz '2024-01-01 00:00+00' + k * interval '31 seconds' + (j % 600) * interval '1 second'
FROM generate_series(1::bigint, :m) AS j,
     LATERAL (SELECT (j * 7919) % 100 AS kind, 1 + (j * 104729) % :n AS k) AS pick
"""


def build_legacy_history(connection: sa.Connection, n: int, messages: int | None = None) -> None:
    """Create the legacy tables and fill them with ``n`` sessions and ``messages`` messages
    (``n`` unless given), spread over those sessions."""
    connection.exec_driver_sql(LEGACY_TABLES)
    connection.execute(sa.text(SESSIONS), {"n": n})
    connection.execute(sa.text(MESSAGES), {"n": n, "m": n if messages is None else messages})
