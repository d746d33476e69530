"""Real Aria databases, both eras (../shared/aria/DEPLOYMENTS.md), online and through psql.

``feb18``: legacy tables in ``public``, the application's Alembic at s48, engine tables with
the init script's index names. ``current``: legacy tables only in ``aria_data``, the
application at s52, the ORM's indexes beside the init script's, the archive tables.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tests.support.aria import (
    APPLICATION_VERSION,
    HISTORY,
    LEGACY_SCHEMA,
    RENAMED,
    application_upgrade,
    aria_database,
)
from tests.support.commands import (
    BEFORE_HISTORY,
    alembic,
    apply_with_psql,
    data_statements,
    data_statements_sent,
    failure,
    head,
    reported,
    upgrade_head,
    verify_report,
)
from tests.support.commands import HISTORY as HISTORY_REVISION
from tests.support.commands import offline_sql as printed
from tests.support.legacy import openclaw_init
from tests.support.postgres import fresh_database
from tests.support.snapshots import APPLICATIONS, dump, version

# Placeable legacy messages in sql/aria/history.sql: j % 10 < 6 carry their session_id;
# j % 10 in (6, 7) only an openclaw_session_id, which names a session unless that session
# (k % 97 = 0) has NULL metadata; the rest name no session. Counted by hand: 288. The current
# era adds renamed.sql's, every one placeable.
PLACEABLE_MESSAGES = {"feb18": 288, "current": 288 + RENAMED["messages"]}
# The sessions those messages are placed into: k = 1 + 7j mod 240 reaches every k, and a
# session with NULL metadata (k % 97 = 0: 97 and 194) gets only those by session_id, which
# the j that reach it happen to carry for neither. Counted by the run: 192.
SESSIONS_WITH_MESSAGES = {"feb18": 192, "current": 192 + RENAMED["sessions_with_messages"]}
# The one index production lacks: feb18's init script has none on updated_at; the current
# era's ORM has idx_ecs_updated_desc, which serves it.
ADDED_INDEXES = {"feb18": {("aria_engine", "idx_chat_sessions_updated_at")}, "current": set()}


def options_for(era: str, mode: str) -> tuple[str, ...]:
    """Online finds the legacy tables; a printed script is for public unless told."""
    if mode == "offline" and LEGACY_SCHEMA[era] != "public":
        return ("-x", f"legacy_schema={LEGACY_SCHEMA[era]}")
    return ()


def indexes(engine: sa.Engine) -> set[tuple[str, str]]:
    with engine.connect() as connection:
        return {
            (schema, name)
            for schema, name in connection.execute(
                sa.text(
                    "SELECT schemaname, indexname FROM pg_indexes "
                    "WHERE schemaname IN ('public', 'aria_data', 'aria_engine') AND tablename "
                    "IN ('agent_sessions', 'session_messages', 'chat_sessions', 'chat_messages')"
                )
            )
        }


def exists(engine: sa.Engine, table: str) -> bool:
    with engine.connect() as connection:
        return connection.scalar(sa.text("SELECT to_regclass(:t)"), {"t": table}) is not None


def test_every_placeable_row_migrates_and_the_application_is_left_as_it_was(
    aria: sa.URL, engine: sa.Engine, era: str, mode: str
) -> None:
    applications = dump_table(engine, APPLICATIONS)
    before = indexes(engine)

    upgrade_head(aria, mode, options=options_for(era, mode))

    assert dump_table(engine, APPLICATIONS) == applications
    assert version(engine, APPLICATIONS) == [APPLICATION_VERSION[era]]
    assert version(engine) == [head()]
    assert indexes(engine) - before == ADDED_INDEXES[era]
    other = "aria_data" if LEGACY_SCHEMA[era] == "public" else "public"
    assert not exists(engine, f"{other}.agent_sessions")
    assert not exists(engine, f"{other}.session_messages")

    status, got = verify_report(aria)
    assert status == 0, got
    assert got["legacy_tables"] == [f"{LEGACY_SCHEMA[era]}.agent_sessions",
                                    f"{LEGACY_SCHEMA[era]}.session_messages"]  # fmt: skip
    assert got["sessions"]["carried"] == got["sessions"]["legacy"] == HISTORY[era]["sessions"]
    # Sessions without a message go to the archive, the rest stay live with their messages.
    assert got["sessions"]["archived"] == HISTORY[era]["sessions"] - SESSIONS_WITH_MESSAGES[era]
    assert got["messages"]["live"] == got["messages"]["carried"] == PLACEABLE_MESSAGES[era]
    assert got["messages"]["missing"] == 0


def dump_table(engine: sa.Engine, table: str) -> list[str]:
    """Every row of ``table`` as PostgreSQL prints it."""
    with engine.connect() as connection:
        return list(connection.scalars(sa.text(f"SELECT t::text FROM {table} AS t ORDER BY 1")))


def test_a_rehearsal_leaves_the_database_as_it_was(aria: sa.URL, era: str) -> None:
    before = dump(aria)
    log = alembic("-x", "rehearse=true", "upgrade", "head", database_url=aria).stderr
    assert reported(log) == {"legacy": HISTORY[era]["sessions"],
                             "live": SESSIONS_WITH_MESSAGES[era],
                             "archived": HISTORY[era]["sessions"] - SESSIONS_WITH_MESSAGES[era],
                             "already": 0}  # fmt: skip
    assert f"legacy tables: {LEGACY_SCHEMA[era]}.agent_sessions" in log
    assert dump(aria) == before


def test_the_application_and_this_project_each_see_only_their_own_history(
    aria: sa.URL, engine: sa.Engine
) -> None:
    application_upgrade(aria)
    alembic("upgrade", "head", database_url=aria)
    application_upgrade(aria)  # it would stop on "Can't locate revision" at a foreign id
    again = alembic("upgrade", "head", database_url=aria).stderr

    assert "Running upgrade" not in again
    assert version(engine, APPLICATIONS) == ["s52_pg17_pgvector_hnsw_upgrade"]
    assert version(engine) == [head()]


def test_a_script_printed_for_public_stops_on_a_database_whose_history_is_in_aria_data(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    aria_database(database_url, "current")
    result = apply_with_psql(database_url, printed(), check=False)

    assert result.returncode != 0
    (error,) = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert error.endswith(
        "ERROR:  no legacy row in public.agent_sessions or public.session_messages, but "
        "aria_data holds some: run again with -x legacy_schema=aria_data; nothing was changed"
    )
    assert not exists(engine, "public.agent_sessions")
    assert version(engine) == []
    assert version(engine, APPLICATIONS) == ["s52_pg17_pgvector_hnsw_upgrade"]


@pytest.mark.parametrize("public_rows", [True, False], ids=["rows-in-both", "empty-public-pair"])
def test_legacy_tables_in_both_schemas(
    database_url: sa.URL, engine: sa.Engine, public_rows: bool
) -> None:
    aria_database(database_url, "current")
    openclaw_init(database_url)  # public tables, one session and one message
    if not public_rows:  # as an earlier release left them: an empty pair in public
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM public.session_messages"))
            connection.execute(sa.text("DELETE FROM public.agent_sessions"))

    result = alembic("upgrade", "head", database_url=database_url, check=False)

    if public_rows:
        assert failure(result) == (
            "FAILED: legacy rows in both public and aria_data (agent_sessions / "
            "session_messages): name the ones to migrate with -x legacy_schema=public or "
            "-x legacy_schema=aria_data"
        )
        assert version(engine) == []
        status, _ = verify_report(database_url)
        assert status == 2
        result = alembic("-x", "legacy_schema=aria_data", "upgrade", "head",
                         database_url=database_url)  # fmt: skip
    assert "legacy tables: aria_data.agent_sessions" in result.stderr
    assert f"S8-06 sessions: {HISTORY['current']['sessions']} legacy" in result.stderr
    status, got = verify_report(database_url, "--legacy-schema", "aria_data")
    assert (status, got["sessions"]["carried"]) == (0, HISTORY["current"]["sessions"])


@pytest.mark.parametrize("left_as", ["idx_leftover", "idx_chat_sessions_updated_at"])
def test_an_invalid_index_on_the_key_does_not_cover_it(
    database_url: sa.URL, engine: sa.Engine, mode: str, left_as: str
) -> None:
    """A failed CREATE INDEX CONCURRENTLY leaves an index that serves no query: the
    revision builds its own, and one left under its own name is built again."""
    aria_database(database_url, "feb18")
    with engine.connect() as connection:
        connection.execute(sa.text(
            "INSERT INTO aria_engine.chat_sessions (id, updated_at) "
            "VALUES (gen_random_uuid(), '2026-01-01'), (gen_random_uuid(), '2026-01-01')"
        ))  # fmt: skip
        connection.commit()
        connection.execution_options(isolation_level="AUTOCOMMIT")
        with pytest.raises(sa.exc.IntegrityError):  # two equal keys: the build fails
            connection.execute(sa.text(
                f"CREATE UNIQUE INDEX CONCURRENTLY {left_as} ON aria_engine.chat_sessions "
                "(updated_at)"
            ))  # fmt: skip

    upgrade_head(database_url, mode, options=options_for("feb18", mode))

    with engine.connect() as connection:
        built = connection.execute(sa.text(
            "SELECT c.relname, i.indisvalid, pg_get_indexdef(i.indexrelid, 1, true) AS key "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'aria_engine.chat_sessions'::regclass "
            "AND pg_get_indexdef(i.indexrelid, 1, true) = 'updated_at' ORDER BY 1"
        )).all()  # fmt: skip
    expected = [("idx_chat_sessions_updated_at", True, "updated_at")]
    if left_as == "idx_leftover":  # not ours to drop
        expected.append(("idx_leftover", False, "updated_at"))
    assert [tuple(row) for row in built] == expected


def test_legacy_tables_in_both_schemas_and_empty_in_both_are_read_in_aria_data(
    database_url: sa.URL, engine: sa.Engine
) -> None:
    """The newest era wins when neither holds a row: the run reads it, logs it, warns that
    it found nothing there, and aria-verify names the same tables."""
    aria_database(database_url, "current")
    openclaw_init(database_url)
    with engine.begin() as connection:
        for schema in ("public", "aria_data"):
            connection.execute(sa.text(f"DELETE FROM {schema}.session_messages"))
            connection.execute(sa.text(f"DELETE FROM {schema}.agent_sessions"))

    said = alembic("upgrade", "head", database_url=database_url).stderr

    assert "legacy tables: aria_data.agent_sessions, aria_data.session_messages" in said
    assert (
        "S8-06 read the legacy tables aria_data.agent_sessions and aria_data.session_messages "
        "and found no session in them: nothing was migrated"
    ) in said
    assert "public.agent_sessions" not in said
    status, got = verify_report(database_url)
    assert status == 3
    assert got["verdict"].startswith(
        "NOTHING TO VERIFY: aria_data.agent_sessions and aria_data.session_messages hold no row"
    )


@pytest.mark.parametrize("application_ids", [[], ["s52_pg17_pgvector_hnsw_upgrade"]])
def test_an_earlier_release_that_recorded_in_the_applications_table_is_carried_over(
    database_url: sa.URL, engine: sa.Engine, mode: str, application_ids: list[str]
) -> None:
    openclaw_init(database_url)
    alembic("upgrade", "head", database_url=database_url)
    with engine.begin() as connection:  # what an earlier release of this project left
        connection.execute(sa.text(
            "CREATE TABLE public.alembic_version (version_num varchar(64) PRIMARY KEY);"
            "DROP TABLE public.alembic_version_aria_migrations"
        ))  # fmt: skip
        for revision in [head(), *application_ids]:
            connection.execute(
                sa.text("INSERT INTO public.alembic_version VALUES (:v)"), {"v": revision}
            )
    engine_rows = dump_table(engine, "aria_engine.chat_messages")

    result = upgrade_head(database_url, mode)

    assert version(engine) == [head()]
    assert version(engine, APPLICATIONS) == application_ids
    assert dump_table(engine, "aria_engine.chat_messages") == engine_rows
    if mode == "online":
        assert result.stderr.count("moved this project's revision id(s)") == 1
        assert "Running upgrade" not in result.stderr


def test_a_run_that_reads_no_legacy_session_says_so(database_url: sa.URL, mode: str) -> None:
    result = upgrade_head(database_url, mode)
    said = result.stderr
    assert (
        "S8-06 read the legacy tables public.agent_sessions and public.session_messages and "
        "found no session in them: nothing was migrated"
    ) in said
    status, got = verify_report(database_url)
    assert status == 3
    assert got["verdict"].startswith(
        "NOTHING TO VERIFY: public.agent_sessions and public.session_messages hold no row"
    )


def test_what_runs_online_on_aria_data_is_what_prints_for_it(
    aria: sa.URL, engine: sa.Engine, era: str, alembic_cfg: Config, pg_server: sa.URL
) -> None:
    """The online run finds the tables; the printed script is told where they are."""
    alembic("upgrade", BEFORE_HISTORY, database_url=aria)
    with data_statements_sent(engine) as sent:
        command.upgrade(alembic_cfg, "head")

    script = printed(f"{BEFORE_HISTORY}:{HISTORY_REVISION}", *options_for(era, "offline"))
    assert sent == data_statements(script)
    with fresh_database(pg_server) as copy_url:
        aria_database(copy_url, era)
        alembic("upgrade", BEFORE_HISTORY, database_url=copy_url)
        apply_with_psql(copy_url, script)
        copy = sa.create_engine(copy_url, poolclass=sa.pool.NullPool)
        for table in ("aria_engine.chat_sessions", "aria_engine.chat_messages"):
            assert without_migration_date(dump_table(copy, table)) == without_migration_date(
                dump_table(engine, table)
            )
        copy.dispose()


def without_migration_date(rows: list[str]) -> list[str]:
    return [re.sub(r'""migration_date"": ""[^"]*""', "", row) for row in rows]
