-- An Aria database as production has it from 2026-02-22 on, written from the facts in
-- ../shared/aria/DEPLOYMENTS.md (never from the application's own files): the legacy tables
-- only in aria_data (legacy_tables.sql; the application's s51 dropped the public copies),
-- the engine tables of the init script (engine_tables.sql) as later revisions and the ORM
-- changed them, and the application's own Alembic chain at s52.
CREATE SCHEMA aria_data;

-- AFTER TABLES
-- Another table holding foreign keys to both (the application's s47).
CREATE TABLE aria_data.sentiment_events (
    id uuid PRIMARY KEY DEFAULT UUID_DEFAULT,
    message_id uuid NOT NULL REFERENCES aria_data.session_messages (id) ON DELETE CASCADE,
    session_id uuid REFERENCES aria_data.agent_sessions (id) ON DELETE SET NULL,
    sentiment_label varchar(20),
    created_at timestamptz DEFAULT now()
);

-- What the application records of each model call, by session (ON DELETE SET NULL).
CREATE TABLE aria_data.model_usage (
    id uuid PRIMARY KEY DEFAULT UUID_DEFAULT,
    session_id uuid REFERENCES aria_data.agent_sessions (id) ON DELETE SET NULL,
    model varchar(100),
    tokens integer,
    created_at timestamptz DEFAULT now()
);

-- s50: agent_id and embedding on chat_messages. pgvector is not installed here: embedding
-- is real[], a stand-in for vector(1536).
ALTER TABLE aria_engine.chat_messages ADD COLUMN agent_id varchar(100), ADD COLUMN embedding real[];
CREATE INDEX idx_ae_cm_agent ON aria_engine.chat_messages (agent_id);
-- The application's ORM (start-up create_all) adds its own indexes beside the init script's.
CREATE INDEX idx_ecs_updated_desc ON aria_engine.chat_sessions (updated_at DESC);
CREATE INDEX idx_ecs_session_type ON aria_engine.chat_sessions (session_type);
CREATE INDEX idx_ecm_session_created ON aria_engine.chat_messages (session_id, created_at);

-- s49's baseline (2026-02-21) adds these to the legacy tables, IF NOT EXISTS; s46's index on
-- openclaw_session_id stays beside them.
CREATE INDEX IF NOT EXISTS idx_agent_sessions_type ON aria_data.agent_sessions (session_type);
CREATE INDEX IF NOT EXISTS idx_agent_sessions_agent_started
    ON aria_data.agent_sessions (agent_id, started_at DESC);
CREATE INDEX IF NOT EXISTS idx_agent_sessions_metadata_gin
    ON aria_data.agent_sessions USING gin (metadata);
CREATE INDEX IF NOT EXISTS idx_agent_sessions_aria_sid
    ON aria_data.agent_sessions ((metadata ->> 'aria_session_id'));
CREATE INDEX IF NOT EXISTS idx_agent_sessions_external_sid
    ON aria_data.agent_sessions ((metadata ->> 'external_session_id'));

-- The application has run its cleanups: the archive tables are there (archive_tables.sql).
ARCHIVE_TABLES

-- AFTER HISTORY
-- What the application derived from the legacy rows.
INSERT INTO aria_data.sentiment_events (message_id, session_id, sentiment_label)
SELECT id, session_id, 'positive' FROM aria_data.session_messages ORDER BY id LIMIT 20;
