-- The legacy tables as OpenClaw's old init scripts created them in production: no Alembic,
-- index names of their own, and rows already in them.
CREATE TABLE agent_sessions (
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
CREATE INDEX agent_sessions_agent_idx ON agent_sessions (agent_id);
CREATE INDEX agent_sessions_oc_idx ON agent_sessions ((metadata->>'openclaw_session_id'));

CREATE TABLE session_messages (
    id uuid PRIMARY KEY,
    session_id uuid REFERENCES agent_sessions(id) ON DELETE SET NULL,
    external_session_id varchar(120),
    agent_id varchar(100),
    role varchar(20) NOT NULL,
    content text NOT NULL,
    content_hash varchar(64) NOT NULL,
    source_channel varchar(50),
    metadata jsonb DEFAULT '{}',
    created_at timestamptz DEFAULT now(),
    UNIQUE (external_session_id, role, content_hash)
);

INSERT INTO agent_sessions (id, agent_id, metadata) VALUES
    ('00000000-0000-4000-8000-000000000001', 'main', '{"openclaw_session_id": "oc-1"}');
INSERT INTO session_messages (id, session_id, role, content, content_hash) VALUES
    ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001',
     'user', 'hello', 'h1');
