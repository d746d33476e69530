-- OpenClaw-era history in the legacy tables at LEGACY_SCHEMA, as the OpenClaw sync and the
-- start-up backfill wrote it: OpenClaw's session types, ids in metadata, messages linked by
-- session_id or only by their external session id, a few that can never be placed. Then a
-- live engine chat, made by the engine itself before the migration.
INSERT INTO LEGACY_SCHEMA.agent_sessions
    (id, agent_id, session_type, started_at, ended_at, messages_count, tokens_used, cost_usd,
     status, metadata)
SELECT
    md5('aria session ' || i)::uuid,
    (ARRAY['main', 'aria-talk', 'aria-devsecops', 'aria-data', ''])[1 + i % 5],
    (ARRAY['openclaw', 'openclaw_main', 'openclaw_cron', 'openclaw_subagent', 'openclaw_run',
           'openclaw_heartbeat', 'skill_exec', NULL])[1 + i % 8],
    CASE WHEN i % 60 <> 0 THEN started END,
    CASE WHEN i % 4 <> 0 THEN started + (i % 50) * interval '1 minute' END,
    i % 30, i * 41 % 9000, (i % 700) / 10000.0,
    (ARRAY['active', 'completed', 'ended', 'error'])[1 + i % 4],
    CASE WHEN i % 97 = 0 THEN NULL ELSE
        jsonb_build_object(
            'openclaw_session_id', 'agent:main:' || i,
            'source', (ARRAY['openclaw_live', 'openclaw_sync', 'backfill'])[1 + i % 3],
            'model', CASE WHEN i % 3 <> 0 THEN 'litellm/qwen3-coder' END,
            'openclaw_session', jsonb_build_object('label', 'Session ' || i,
                                                   'model', 'kimi-k2.5'))
        || CASE WHEN i % 9 = 0 THEN jsonb_build_object('external_session_id', 'ext-' || i)
                ELSE '{}'::jsonb END
    END
FROM generate_series(1, 240) AS i,
     LATERAL (SELECT timestamptz '2026-01-10 08:00+00' + i * interval '37 minutes' AS started) t;

INSERT INTO LEGACY_SCHEMA.session_messages
    (id, session_id, external_session_id, agent_id, role, content, content_hash,
     source_channel, metadata, created_at)
SELECT
    md5('aria message ' || j)::uuid,
    CASE WHEN j % 10 < 6 THEN md5('aria session ' || k)::uuid END,
    CASE WHEN j % 10 < 8 THEN 'agent:main:' || k
         WHEN j % 10 = 8 THEN 'agent:gone:' || j END,
    (ARRAY['main', 'aria-talk', 'aria-devsecops', 'aria-data'])[1 + k % 4],
    (ARRAY['user', 'assistant', 'assistant', 'tool'])[1 + j % 4],
    'Message ' || j || ': ' || repeat('so it goes ', 1 + j % 7),
    md5('aria message ' || j),
    (ARRAY['telegram', 'web', NULL])[1 + j % 3],
    CASE WHEN j % 5 = 0 THEN '{}'::jsonb ELSE jsonb_build_object('tokens', j % 800) END,
    timestamptz '2026-01-10 08:00+00' + k * interval '37 minutes' + j * interval '1 second'
FROM generate_series(1, 360) AS j,
     LATERAL (SELECT 1 + (j * 7) % 240 AS k) AS pick;

INSERT INTO aria_engine.chat_sessions (id, agent_id, title, created_at, updated_at)
VALUES ('00000000-0000-4000-8000-00000000e001', 'main', 'a live chat',
        '2026-02-20 09:00+00', '2026-02-20 09:05+00');
INSERT INTO aria_engine.chat_messages (id, session_id, role, content, created_at)
VALUES ('00000000-0000-4000-8000-0000000e0001', '00000000-0000-4000-8000-00000000e001',
        'user', 'hello, engine', '2026-02-20 09:01+00');
