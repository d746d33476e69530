-- The legacy tables as OpenClaw's old init scripts made them in production: no Alembic, and
-- index names of their own. Shared by the demo, the benchmark and the adoption tests.
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
);
