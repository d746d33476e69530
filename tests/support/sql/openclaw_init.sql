-- Rows already in the legacy tables (demo/openclaw_tables.sql) before Alembic arrived.
INSERT INTO public.agent_sessions (id, agent_id, metadata) VALUES
    ('00000000-0000-4000-8000-000000000001', 'main', '{"openclaw_session_id": "oc-1"}');
INSERT INTO public.session_messages (id, session_id, role, content, content_hash) VALUES
    ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001',
     'user', 'hello', 'h1');
