-- What the application wrote into the legacy tables after it renamed "openclaw" on
-- 2026-02-19 (current era only): sessions named by aria_session_id, or only by
-- external_session_id, none with an OpenClaw label; their messages linked only by that id,
-- as the sentiment ingestion leaves them when no session matched yet. Two ids are each named
-- by two sessions under different keys: 'shared:later' by an older session under the old key
-- and a newer one under the new (the newer wins); 'shared:tie' by two sessions that started
-- at the same moment (the greater id wins). First user messages are long, span lines, are
-- padded, and one session's first is white space only (the next user message titles it).
INSERT INTO LEGACY_SCHEMA.agent_sessions
    (id, agent_id, session_type, started_at, ended_at, status, metadata)
SELECT
    md5('renamed session ' || i)::uuid,
    (ARRAY['main', 'aria-talk', 'aria-data'])[1 + i % 3],
    'interactive',
    CASE WHEN i IN (19, 20) THEN timestamptz '2026-02-25 10:00+00'
         ELSE timestamptz '2026-02-19 12:00+00' + i * interval '3 hours' END,
    NULL,
    'active',
    CASE
        WHEN i <= 12 THEN jsonb_build_object('aria_session_id', 'aria:main:' || i,
                                             'source', 'aria_live')
        WHEN i <= 16 THEN jsonb_build_object('external_session_id', 'conversation-' || i)
        WHEN i = 17 THEN jsonb_build_object('openclaw_session_id', 'shared:later')
        WHEN i = 18 THEN jsonb_build_object('aria_session_id', 'shared:later')
        WHEN i = 19 THEN jsonb_build_object('aria_session_id', 'shared:tie')
        ELSE jsonb_build_object('external_session_id', 'shared:tie')
    END
FROM generate_series(1, 20) AS i;

-- Sessions 1-12: three messages each, user / assistant / user, the first user message a
-- minute after the session began.
INSERT INTO LEGACY_SCHEMA.session_messages
    (id, session_id, external_session_id, agent_id, role, content, content_hash,
     source_channel, metadata, created_at)
SELECT
    md5('renamed message ' || i || '/' || n)::uuid,
    NULL,
    'aria:main:' || i,
    'main',
    (ARRAY['user', 'assistant', 'user'])[n],
    CASE
        WHEN n = 1 AND i = 12 THEN E' \n\t '
        WHEN n = 1 THEN E'  \n  Session ' || i || E': can you look at the deploy\r\n\tlogs of aria-api'
                        || repeat(' and tell me what failed', i % 4) || E'   \n'
        WHEN n = 2 THEN 'Looking at them now.'
        ELSE 'Thanks, and the follow-up for session ' || i
    END,
    md5('renamed message ' || i || '/' || n),
    'web',
    '{}'::jsonb,
    timestamptz '2026-02-19 12:00+00' + i * interval '3 hours' + n * interval '1 minute'
FROM generate_series(1, 12) AS i, generate_series(1, 3) AS n;

-- Sessions 13-16: two each; 'shared:later' two, 'shared:tie' one.
INSERT INTO LEGACY_SCHEMA.session_messages
    (id, session_id, external_session_id, agent_id, role, content, content_hash,
     source_channel, metadata, created_at)
SELECT
    md5('renamed message ' || ext || '/' || n)::uuid,
    NULL,
    ext,
    'aria-talk',
    (ARRAY['user', 'assistant'])[n],
    'About ' || ext || ', message ' || n,
    md5('renamed message ' || ext || '/' || n),
    'telegram',
    '{}'::jsonb,
    timestamptz '2026-02-26 09:00+00' + n * interval '1 minute'
FROM (VALUES ('conversation-13', 2), ('conversation-14', 2), ('conversation-15', 2),
             ('conversation-16', 2), ('shared:later', 2), ('shared:tie', 1)) AS e (ext, messages),
     LATERAL generate_series(1, e.messages) AS n;
