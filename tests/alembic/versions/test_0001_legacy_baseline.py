"""0001: the legacy baseline adopts OpenClaw's tables as production holds them."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support.commands import BASELINE, alembic, failure, head, upgrade_head
from tests.support.legacy import openclaw_init, run_sql
from tests.support.snapshots import all_rows, columns, version


def test_adopts_legacy_tables_without_stamp(engine: sa.Engine, database_url, mode: str) -> None:
    openclaw_init(database_url)
    before = all_rows(engine)

    upgrade_head(database_url, mode)

    assert version(engine) == [head()]
    after = all_rows(engine)
    assert after["public.agent_sessions"] == before["public.agent_sessions"] != []
    assert after["public.session_messages"] == before["public.session_messages"] != []
    assert columns(engine, "aria_engine.chat_sessions")  # the engine tables were built


def test_a_legacy_table_missing_columns_fails_clearly_and_is_left_alone(
    engine: sa.Engine, database_url, mode: str
) -> None:
    run_sql(database_url, "CREATE TABLE agent_sessions (id uuid PRIMARY KEY, agent_id text)")
    shape = columns(engine, "public.agent_sessions")

    result = upgrade_head(database_url, mode, check=False)

    assert result.returncode != 0
    expected = (
        "existing table public.agent_sessions lacks column(s) this project relies on: "
        "session_type, started_at, ended_at, messages_count, tokens_used, cost_usd, status, "
        "metadata; it was left unchanged"
    )
    assert expected in result.stdout + result.stderr
    if mode == "online":
        assert expected in failure(result)
    assert columns(engine, "public.agent_sessions") == shape
    assert version(engine) == []


def test_downgrade_refuses_to_drop_legacy_tables_holding_rows(engine: sa.Engine, database_url):
    openclaw_init(database_url)
    alembic("upgrade", BASELINE, database_url=database_url)
    before = all_rows(engine)

    result = alembic("downgrade", "base", database_url=database_url, check=False)

    assert "refusing to drop public.session_messages: it holds rows" in failure(result)
    assert all_rows(engine) == before
    assert version(engine) == [BASELINE]


def test_downgrade_drops_the_legacy_tables_it_built_while_empty(engine: sa.Engine, database_url):
    alembic("upgrade", "head", database_url=database_url)
    alembic("downgrade", "base", database_url=database_url)
    assert columns(engine, "public.agent_sessions") == []
    assert columns(engine, "public.session_messages") == []


def _indexes(engine: sa.Engine, table: str) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(sa.text(
            "SELECT c.relname FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = to_regclass(:t)"
        ), {"t": table}))  # fmt: skip


def test_adoption_adds_no_second_copy_of_an_index_production_has(
    engine: sa.Engine, database_url, mode: str
) -> None:
    openclaw_init(database_url)
    upgrade_head(database_url, mode)

    # The init scripts' agent_id and openclaw id indexes serve: no copy under our names.
    assert _indexes(engine, "public.agent_sessions") == {
        "agent_sessions_pkey", "agent_sessions_agent_idx", "agent_sessions_oc_idx",
        "idx_agent_sessions_status", "idx_agent_sessions_started_at",
    }  # fmt: skip
    assert _indexes(engine, "public.session_messages") == {
        "session_messages_pkey", "session_messages_external_session_id_role_content_hash_key",
        "idx_session_messages_session_id",
    }  # fmt: skip
