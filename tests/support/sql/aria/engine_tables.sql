-- The engine tables as the application's init script makes them (from 2026-02-19), with
-- its index names.
CREATE SCHEMA aria_engine;
CREATE TABLE aria_engine.chat_sessions (
    id uuid PRIMARY KEY DEFAULT UUID_DEFAULT,
    agent_id varchar(100) NOT NULL DEFAULT 'main',
    session_type varchar(50) NOT NULL DEFAULT 'interactive',
    title varchar(500),
    system_prompt text,
    model varchar(200),
    temperature double precision DEFAULT 0.7,
    max_tokens integer DEFAULT 4096,
    context_window integer DEFAULT 50,
    status varchar(20) NOT NULL DEFAULT 'active',
    message_count integer DEFAULT 0,
    total_tokens integer DEFAULT 0,
    total_cost numeric(10, 6) DEFAULT 0,
    metadata jsonb DEFAULT '{}',
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now(),
    ended_at timestamptz
);
CREATE INDEX idx_ae_cs_agent ON aria_engine.chat_sessions (agent_id);
CREATE INDEX idx_ae_cs_status ON aria_engine.chat_sessions (status);
CREATE INDEX idx_ae_cs_created ON aria_engine.chat_sessions (created_at);

CREATE TABLE aria_engine.chat_messages (
    id uuid PRIMARY KEY DEFAULT UUID_DEFAULT,
    session_id uuid NOT NULL REFERENCES aria_engine.chat_sessions (id) ON DELETE CASCADE,
    role varchar(20) NOT NULL,
    content text NOT NULL,
    thinking text,
    tool_calls jsonb,
    tool_results jsonb,
    model varchar(200),
    tokens_input integer,
    tokens_output integer,
    cost numeric(10, 6),
    latency_ms integer,
    metadata jsonb DEFAULT '{}',
    created_at timestamptz DEFAULT now()
);
CREATE INDEX idx_ae_cm_session ON aria_engine.chat_messages (session_id);
CREATE INDEX idx_ae_cm_role ON aria_engine.chat_messages (role);
CREATE INDEX idx_ae_cm_created ON aria_engine.chat_messages (created_at);
