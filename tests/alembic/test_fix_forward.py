"""Databases an earlier release of this project migrated, carried forward by ``upgrade head``.

- 0005 as released placed a message that carries only an external id by two keys, not by
  ``aria_session_id`` (the application's since 2026-02-19), and titled sessions only from
  their OpenClaw label. Rebuilt here on the current era's history: the messages only that key
  places are hidden from the run (their external id changed, so that nothing names it: what
  0005 reported as ``unknown external id``), then put back, and the titles taken from first
  user messages undone. ('shared:later', which 0005 placed by its old key into the older
  session, stays there: carried once, never moved.)
- 0003 as released kept no record; when the application's cleanups have archived its
  sessions with their messages, a run still finds and records them as that release's.
"""

from __future__ import annotations

import sqlalchemy as sa

from tests.support.aria import HISTORY, RENAMED, aria_database, maintenance
from tests.support.commands import alembic, reported, verify_report
from tests.support.earlier_release import as_an_earlier_release_left_it
from tests.support.legacy import run_sql

ONLY_BY_ARIA_KEY = """
    session_id IS NULL AND external_session_id IN (
        SELECT metadata->>'aria_session_id' FROM aria_data.agent_sessions
        EXCEPT
        SELECT metadata->>key FROM aria_data.agent_sessions,
            unnest(ARRAY['openclaw_session_id', 'external_session_id']) AS key
    )"""


def as_0005_left_it(url: sa.URL) -> None:
    run_sql(url, f"UPDATE aria_data.session_messages SET external_session_id = "
                 f"'hidden:' || external_session_id WHERE {ONLY_BY_ARIA_KEY}")  # fmt: skip
    alembic("upgrade", "head", database_url=url)
    run_sql(url, """
        UPDATE aria_data.session_messages
        SET external_session_id = substr(external_session_id, 8)
        WHERE external_session_id LIKE 'hidden:%';
        UPDATE aria_engine.chat_sessions SET title = NULL
        WHERE metadata->>'title_source' = 'first user message';
        UPDATE aria_engine.chat_sessions SET metadata = metadata - 'title_source';
        UPDATE aria_engine.chat_sessions_archive SET metadata = metadata - 'title_source';
        UPDATE public.s8_06_runs SET read_snapshot = NULL;  -- 0005 recorded none
        UPDATE public.alembic_version_aria_migrations SET version_num = '0005_s8_06_history_kept';
    """)  # fmt: skip


def test_a_database_0005_migrated_gets_what_the_applications_rule_places_and_titles(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    aria_database(database_url, "current")
    as_0005_left_it(database_url)
    status, before = verify_report(database_url)
    # The application's rule places what 0005 could not: missing until a run carries it.
    assert (status, before["messages"]["missing"]) == (1, 36)
    assert before["not_placeable"]["unknown_external_id"] == 36
    with engine.begin() as connection:  # a user named one of the sessions meanwhile
        connection.execute(sa.text(
            "UPDATE aria_engine.chat_sessions SET title = 'Named by a user' "
            "WHERE id = md5('renamed session 13')::uuid"))  # fmt: skip

    log = alembic("upgrade", "head", database_url=database_url).stderr

    # Their sessions went to the archive without them; they follow, and are counted there.
    assert reported(log, "messages") == {"legacy": HISTORY["current"]["messages"], "live": 0,
                                         "archived": 36, "already": 288 + 9 + 2}  # fmt: skip
    assert "S8-06 messages placed by: aria_session_id 36" in log
    assert "S8-06 sessions brought up to date with late messages: 12" in log
    status, after = verify_report(database_url)
    assert status == 0, after["verdict"]
    assert after["not_placeable"]["unknown_external_id"] == 36
    assert after["messages"]["carried"] == before["messages"]["carried"] + 36
    with engine.connect() as connection:
        titles = dict(connection.execute(sa.text("""
            SELECT i, title FROM generate_series(1, 20) AS i
            JOIN (SELECT id, title FROM aria_engine.chat_sessions
                  UNION ALL SELECT id, title FROM aria_engine.chat_sessions_archive) AS s
              ON s.id = md5('renamed session ' || i)::uuid""")).all())  # fmt: skip
    assert (
        titles[1]
        == "Session 1: can you look at the deploy logs of aria-api and tell me what failed"
    )
    assert (titles[2][-3:], len(titles[2])) == ("...", 80)
    assert titles[12] == "Thanks, and the follow-up for session 12"  # its first was blank
    assert titles[13] == "Named by a user"
    assert (titles[14], titles[19]) == ("About conversation-14, message 1", None)
    assert sum(title is not None for title in titles.values()) == RENAMED["sessions_with_messages"]


def test_an_earlier_releases_rows_archived_with_their_messages_are_recorded_as_its_own(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    aria_database(database_url, "current", "production_history")
    as_an_earlier_release_left_it(database_url, archive_tables_were_there=True)
    # Totals the application's archive accepts, so that its cleanups move that release's
    # sessions, messages and all, into the archive (the purge takes those without one).
    known = "total_tokens = coalesce(total_tokens, 0), total_cost = coalesce(total_cost, 0)"
    run_sql(database_url, f"UPDATE aria_engine.chat_sessions SET {known}")
    moved = maintenance(database_url)
    archived = moved["old_cleanup"] + moved["type_cleanup"]
    assert archived >= 507  # every session with a message, and agent work without one

    alembic("upgrade", "head", database_url=database_url)

    with engine.connect() as connection:
        earlier = dict(connection.execute(sa.text("""
            SELECT 'sessions', count(*) FROM public.s8_06_carried_sessions WHERE earlier_release
            UNION ALL
            SELECT 'messages', count(*) FROM public.s8_06_carried_messages WHERE earlier_release
        """)).all())  # fmt: skip
    assert earlier == {"sessions": archived, "messages": 1519}
    status, got = verify_report(database_url)
    assert status == 0, got["verdict"]
    assert (got["messages"]["archived"], got["messages"]["missing"]) == (1519, 0)
    assert got["sessions"]["archived"] == 2014
