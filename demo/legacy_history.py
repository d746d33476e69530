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

import sqlalchemy as sa

LEGACY_TABLES = """
CREATE TABLE public.agent_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id varchar(100) NOT NULL,
    session_type varchar(50) DEFAULT 'interactive',
    started_at timestamptz DEFAULT now(),
    ended_at timestamptz,
    messages_count int DEFAULT 0,
    tokens_used int DEFAULT 0,
    cost_usd numeric(10,6) DEFAULT 0,
    status varchar(50) DEFAULT 'active',
    metadata jsonb DEFAULT '{}'
);
CREATE INDEX agent_sessions_agent_idx ON public.agent_sessions (agent_id);
CREATE INDEX agent_sessions_oc_idx ON public.agent_sessions ((metadata->>'openclaw_session_id'));

CREATE TABLE public.session_messages (
    id uuid PRIMARY KEY,
    session_id uuid REFERENCES public.agent_sessions(id) ON DELETE SET NULL,
    external_session_id varchar(120),
    agent_id varchar(100),
    role varchar(20) NOT NULL,
    content text NOT NULL,
    content_hash varchar(64) NOT NULL,
    source_channel varchar(50),
    metadata jsonb DEFAULT '{}',
    created_at timestamptz DEFAULT now(),
    UNIQUE (external_session_id, role, content_hash)
)
"""
"""The legacy tables as OpenClaw's init scripts made them (no Alembic, their own index names)."""

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
FROM generate_series(1::bigint, :n) AS j,
     LATERAL (SELECT (j * 7919) % 100 AS kind, 1 + (j * 104729) % :n AS k) AS pick
"""


def build_legacy_history(connection: sa.Connection, n: int) -> None:
    """Create the legacy tables and fill them with ``n`` sessions and ``n`` messages."""
    connection.exec_driver_sql(LEGACY_TABLES)
    connection.execute(sa.text(SESSIONS), {"n": n})
    connection.execute(sa.text(MESSAGES), {"n": n})
