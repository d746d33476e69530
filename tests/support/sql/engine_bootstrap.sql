-- The engine tables as the engine's own bootstrap created them, holding a live chat.
CREATE SCHEMA aria_engine;
CREATE TABLE aria_engine.chat_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_id varchar(100) NOT NULL DEFAULT 'main',
    session_type varchar(50) NOT NULL DEFAULT 'interactive',
    title varchar(500),
    system_prompt text,
    model varchar(200),
    temperature float DEFAULT 0.7,
    max_tokens int DEFAULT 4096,
    context_window int DEFAULT 50,
    status varchar(20) NOT NULL DEFAULT 'active',
    message_count int DEFAULT 0,
    total_tokens int DEFAULT 0,
    total_cost numeric(10,6) DEFAULT 0,
    metadata jsonb DEFAULT '{}',
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now(),
    ended_at timestamptz
);
CREATE TABLE aria_engine.chat_messages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id uuid NOT NULL REFERENCES aria_engine.chat_sessions(id) ON DELETE CASCADE,
    role varchar(20) NOT NULL,
    content text NOT NULL,
    thinking text,
    tool_calls jsonb,
    tool_results jsonb,
    model varchar(200),
    tokens_input int,
    tokens_output int,
    cost numeric(10,6),
    latency_ms int,
    metadata jsonb DEFAULT '{}',
    created_at timestamptz DEFAULT now()
);
INSERT INTO aria_engine.chat_sessions (id, title) VALUES
    ('00000000-0000-4000-8000-00000000e001', 'a live chat');
INSERT INTO aria_engine.chat_messages (session_id, role, content) VALUES
    ('00000000-0000-4000-8000-00000000e001', 'user', 'hi engine');
