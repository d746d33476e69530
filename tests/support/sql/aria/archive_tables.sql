-- The engine's archive tables as the application creates them (create_all, checkfirst) the
-- first time a cleanup or an archive listing runs, written from ../shared/aria/DEPLOYMENTS.md
-- and the nullability of the application's models (a non-optional Mapped[...] column is
-- NOT NULL). Without pgvector, embedding is jsonb. IF NOT EXISTS: as checkfirst does.
CREATE TABLE IF NOT EXISTS aria_engine.chat_sessions_archive (
    id uuid PRIMARY KEY,
    agent_id varchar(100) NOT NULL,
    session_type varchar(50) NOT NULL,
    title varchar(500),
    system_prompt text,
    model varchar(200),
    temperature double precision NOT NULL DEFAULT 0.7,
    max_tokens integer NOT NULL DEFAULT 4096,
    context_window integer NOT NULL DEFAULT 50,
    status varchar(20) NOT NULL,
    message_count integer NOT NULL DEFAULT 0,
    total_tokens integer NOT NULL DEFAULT 0,
    total_cost numeric(10, 6) NOT NULL DEFAULT 0,
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    ended_at timestamptz,
    archived_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_ecsa_archived ON aria_engine.chat_sessions_archive (archived_at DESC);
CREATE INDEX IF NOT EXISTS idx_ecsa_session_type ON aria_engine.chat_sessions_archive (session_type);
CREATE INDEX IF NOT EXISTS idx_ecsa_status ON aria_engine.chat_sessions_archive (status);
CREATE INDEX IF NOT EXISTS idx_ecsa_updated ON aria_engine.chat_sessions_archive (updated_at DESC);

CREATE TABLE IF NOT EXISTS aria_engine.chat_messages_archive (
    id uuid PRIMARY KEY,
    session_id uuid NOT NULL
        REFERENCES aria_engine.chat_sessions_archive (id) ON DELETE CASCADE,
    agent_id varchar(100),
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
    embedding jsonb,
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL,
    archived_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_ecma_session ON aria_engine.chat_messages_archive (session_id);
CREATE INDEX IF NOT EXISTS idx_ecma_role ON aria_engine.chat_messages_archive (role);
