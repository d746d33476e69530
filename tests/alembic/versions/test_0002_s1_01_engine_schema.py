"""0002: the S1-01 engine schema adopts the engine's bootstrap tables, or builds them."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support.commands import ENGINE_SCHEMA, alembic, failure, head, upgrade_head
from tests.support.legacy import engine_bootstrap, openclaw_init, run_sql
from tests.support.snapshots import all_rows, columns, version


def test_adopts_legacy_and_engine_tables_without_stamp(
    engine: sa.Engine, database_url, mode: str
) -> None:
    openclaw_init(database_url)
    engine_bootstrap(database_url)
    before = all_rows(engine)

    upgrade_head(database_url, mode)

    assert version(engine) == [head()]
    after = all_rows(engine)
    assert all(rows for table, rows in before.items() if not table.endswith("_archive"))
    for table, rows in before.items():
        # Legacy tables untouched; the live engine rows still there, history added beside.
        assert set(rows) <= set(after[table])
        if table.startswith("public."):
            assert after[table] == rows


def test_an_engine_table_missing_columns_fails_clearly(engine: sa.Engine, database_url, mode):
    run_sql(
        database_url,
        "CREATE SCHEMA aria_engine; CREATE TABLE aria_engine.chat_sessions (id uuid PRIMARY KEY)",
    )
    result = upgrade_head(database_url, mode, check=False)

    assert result.returncode != 0
    assert (
        "existing table aria_engine.chat_sessions lacks column(s) this project relies on: "
        "agent_id, session_type, title, system_prompt, model, temperature"
    ) in result.stdout + result.stderr
    assert columns(engine, "aria_engine.chat_sessions") == ["id"]
    assert version(engine) == []


def test_downgrade_refuses_to_drop_engine_tables_holding_rows(engine: sa.Engine, database_url):
    alembic("upgrade", ENGINE_SCHEMA, database_url=database_url)
    engine_rows = "INSERT INTO aria_engine.chat_sessions (title) VALUES ('live')"
    run_sql(database_url, engine_rows)
    before = all_rows(engine)

    result = alembic("downgrade", "-1", database_url=database_url, check=False)

    assert "refusing to drop aria_engine.chat_sessions: it holds rows" in failure(result)
    assert all_rows(engine) == before
    assert version(engine) == [ENGINE_SCHEMA]


def test_downgrade_leaves_the_schema_when_it_holds_other_objects(engine: sa.Engine, database_url):
    alembic("upgrade", ENGINE_SCHEMA, database_url=database_url)
    run_sql(database_url, "CREATE TABLE aria_engine.scheduled_jobs (id int)")

    alembic("downgrade", "-1", database_url=database_url)

    assert columns(engine, "aria_engine.chat_sessions") == []
    assert columns(engine, "aria_engine.scheduled_jobs") == ["id"]
