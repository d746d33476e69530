-- The application's three maintenance loops (from 2026-02-22), as functions of our own written
-- from the rules in ../shared/aria/DEPLOYMENTS.md, so that a test can run them after a deploy
-- or beside one. Each call is one transaction, as each pass of the application's is.
CREATE SCHEMA IF NOT EXISTS aria_loops;

-- Archived: the sessions copied into the archive with their messages (ON CONFLICT (id) DO
-- NOTHING), then the messages and the sessions deleted from the live tables. Messages carry
-- every column the two tables share but the embedding (a stand-in type in these fixtures).
CREATE OR REPLACE FUNCTION aria_loops.archive(ids uuid[]) RETURNS integer
LANGUAGE plpgsql AS $archive$
DECLARE
    shared text;
    moved integer;
BEGIN
    INSERT INTO aria_engine.chat_sessions_archive (
        id, agent_id, session_type, title, system_prompt, model, temperature, max_tokens,
        context_window, status, message_count, total_tokens, total_cost, metadata,
        created_at, updated_at, ended_at, archived_at)
    SELECT id, agent_id, session_type, title, system_prompt, model, temperature, max_tokens,
           context_window, status, message_count, total_tokens, total_cost, metadata,
           created_at, updated_at, ended_at, now()
    FROM aria_engine.chat_sessions WHERE id = ANY (ids)
    ON CONFLICT (id) DO NOTHING;
    SELECT string_agg(quote_ident(live.column_name), ', ' ORDER BY live.ordinal_position)
    INTO shared
    FROM information_schema.columns AS live
    JOIN information_schema.columns AS archived
        ON archived.column_name = live.column_name
       AND archived.table_schema = 'aria_engine'
       AND archived.table_name = 'chat_messages_archive'
    WHERE live.table_schema = 'aria_engine' AND live.table_name = 'chat_messages'
      AND live.column_name <> 'embedding';
    EXECUTE format(
        'INSERT INTO aria_engine.chat_messages_archive (%1$s, archived_at) '
        'SELECT %1$s, now() FROM aria_engine.chat_messages WHERE session_id = ANY ($1) '
        'ON CONFLICT (id) DO NOTHING', shared) USING ids;
    DELETE FROM aria_engine.chat_messages WHERE session_id = ANY (ids);
    DELETE FROM aria_engine.chat_sessions WHERE id = ANY (ids);
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END
$archive$;

-- Every 10 minutes: sessions with message_count = 0 older than the cut-off, deleted for good.
-- The application means 60 minutes; its make_interval(0, 0, 0, 0, 60) is 60 hours.
CREATE OR REPLACE FUNCTION aria_loops.ghost_purge() RETURNS integer
LANGUAGE sql AS $ghosts$
    WITH purged AS (
        DELETE FROM aria_engine.chat_sessions
        WHERE message_count = 0 AND created_at < now() - make_interval(0, 0, 0, 0, 60)
        RETURNING id
    )
    SELECT count(*)::integer FROM purged
$ghosts$;

-- At start-up, then hourly: cron, swarm and sub-agent sessions idle for more than a day.
CREATE OR REPLACE FUNCTION aria_loops.type_cleanup() RETURNS integer
LANGUAGE sql AS $types$
    SELECT aria_loops.archive(ARRAY(
        SELECT id FROM aria_engine.chat_sessions
        WHERE session_type IN ('cron', 'swarm', 'subagent')
          AND updated_at < now() - make_interval(0, 0, 0, 1)))
$types$;

-- Every 6 hours: any session idle for more than 30 days.
CREATE OR REPLACE FUNCTION aria_loops.old_cleanup() RETURNS integer
LANGUAGE sql AS $old$
    SELECT aria_loops.archive(ARRAY(
        SELECT id FROM aria_engine.chat_sessions
        WHERE updated_at < now() - make_interval(0, 0, 0, 30)))
$old$;
