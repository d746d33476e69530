-- The legacy tables as production has them in both eras (in public, later in aria_data:
-- LEGACY_SCHEMA), with production's own index and constraint names; session_messages as
-- the API's start-up create_all made it, with metadata and created_at NOT NULL.
CREATE TABLE LEGACY_SCHEMA.agent_sessions (
    id uuid PRIMARY KEY DEFAULT UUID_DEFAULT,
    agent_id varchar(100) NOT NULL,
    session_type varchar(50) DEFAULT 'interactive',
    started_at timestamptz DEFAULT now(),
    ended_at timestamptz,
    messages_count integer DEFAULT 0,
    tokens_used integer DEFAULT 0,
    cost_usd numeric(10, 6) DEFAULT 0,
    status varchar(50) DEFAULT 'active',
    metadata jsonb DEFAULT '{}'
);
CREATE INDEX idx_agent_sessions_agent ON LEGACY_SCHEMA.agent_sessions (agent_id);
CREATE INDEX idx_agent_sessions_status ON LEGACY_SCHEMA.agent_sessions (status);
CREATE INDEX idx_agent_sessions_started ON LEGACY_SCHEMA.agent_sessions (started_at DESC);
CREATE INDEX idx_agent_sessions_openclaw_sid
    ON LEGACY_SCHEMA.agent_sessions ((metadata ->> 'openclaw_session_id'));

CREATE TABLE LEGACY_SCHEMA.session_messages (
    id uuid PRIMARY KEY DEFAULT UUID_DEFAULT,
    session_id uuid REFERENCES LEGACY_SCHEMA.agent_sessions (id) ON DELETE SET NULL,
    external_session_id varchar(120),
    agent_id varchar(100),
    role varchar(20) NOT NULL,
    content text NOT NULL,
    content_hash varchar(64) NOT NULL,
    source_channel varchar(50),
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_session_message_ext_role_hash UNIQUE (external_session_id, role, content_hash)
);
CREATE INDEX idx_session_messages_session ON LEGACY_SCHEMA.session_messages (session_id);
CREATE INDEX idx_session_messages_external ON LEGACY_SCHEMA.session_messages (external_session_id);
CREATE INDEX idx_session_messages_created ON LEGACY_SCHEMA.session_messages (created_at DESC);
