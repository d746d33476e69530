-- An OpenClaw-era history in production's proportions (early 2026: about 14,300 sessions,
-- 3,900 messages), at a seventh of its size: 2,014 legacy sessions, of which the first 507
-- hold the 1,519 messages and the rest none, all months old. Every message can be placed:
-- by its session_id, or only by its external id. Some token and cost counts are unknown.
INSERT INTO LEGACY_SCHEMA.agent_sessions
    (id, agent_id, session_type, started_at, ended_at, messages_count, tokens_used, cost_usd,
     status, metadata)
SELECT
    md5('production session ' || i)::uuid,
    (ARRAY['main', 'aria-talk', 'aria-devsecops', 'aria-data'])[1 + i % 4],
    (ARRAY['openclaw', 'openclaw_main', 'openclaw_cron', 'openclaw_subagent', 'openclaw_run',
           'openclaw_heartbeat', 'skill_exec', NULL])[1 + i % 8],
    timestamptz '2025-11-01 08:00+00' + i * interval '41 minutes',
    CASE WHEN i % 3 <> 0 THEN timestamptz '2025-11-01 08:20+00' + i * interval '41 minutes' END,
    CASE WHEN i <= 507 THEN 3 ELSE 0 END,
    CASE WHEN i % 11 <> 0 THEN i * 37 % 5000 END,
    CASE WHEN i % 13 <> 0 THEN (i % 500) / 10000.0 END,
    (ARRAY['active', 'completed', 'ended'])[1 + i % 3],
    jsonb_build_object('openclaw_session_id', 'agent:prod:' || i,
                       'source', (ARRAY['openclaw_live', 'openclaw_sync', 'backfill'])[1 + i % 3],
                       'openclaw_session', jsonb_build_object('label', 'Production ' || i))
FROM generate_series(1, 2014) AS i;

INSERT INTO LEGACY_SCHEMA.session_messages
    (id, session_id, external_session_id, agent_id, role, content, content_hash,
     source_channel, metadata, created_at)
SELECT
    md5('production message ' || j)::uuid,
    CASE WHEN j % 10 < 7 THEN md5('production session ' || k)::uuid END,
    'agent:prod:' || k,
    (ARRAY['main', 'aria-talk', 'aria-devsecops', 'aria-data'])[1 + k % 4],
    (ARRAY['user', 'assistant'])[1 + j % 2],
    'Production message ' || j,
    md5('production message ' || j),
    'telegram',
    '{}'::jsonb,
    timestamptz '2025-11-01 08:00+00' + k * interval '41 minutes' + j * interval '1 second'
FROM generate_series(1, 1519) AS j,
     LATERAL (SELECT 1 + (j * 7) % 507 AS k) AS pick;
