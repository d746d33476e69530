"""0007 (S8-06) as sent: its statements laid out for a reader, the same online and in
``--sql`` (and the same rows through psql), and the least privilege that runs it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from db.migrate.expressions import literal_sql
from db.migrate.layout import laid_out
from tests.support.commands import (
    BEFORE_HISTORY,
    HISTORY,
    alembic,
    apply_with_psql,
    data_statements,
    data_statements_sent,
    offline_sql,
)
from tests.support.history import legacy_message, legacy_session, revision_module, seed
from tests.support.postgres import fresh_database, scratch_role
from tests.support.snapshots import comparable, version

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


# A name SQLAlchemy makes up for an unlabelled expression or subquery: anon_1, coalesce_2 …
GENERATED_NAME = re.compile(r"\b(anon|[a-z]+)_[0-9]+\b")
STEPS = ["run", *["adopt"] * 4, "run", *["plan"] * 4, *["sessions"] * 2, *["messages"] * 2,
         *["late messages"] * 2, *["titles"] * 3, "proof"]  # fmt: skip


def test_offline_sql_is_laid_out_for_a_reader() -> None:
    statements = data_statements(offline_sql(f"{BEFORE_HISTORY}:{HISTORY}"))
    for statement in statements:
        assert max(len(line) for line in statement.splitlines()) <= 160, statement
        assert not GENERATED_NAME.findall(statement), statement
    steps = [s.splitlines()[0] for s in statements if s.startswith("-- ")]
    assert [step.removeprefix("-- ").split(":")[0] for step in steps] == STEPS
    clauses = "\n".join(statements)
    for clause in ("\nFROM ", "\nLEFT OUTER JOIN ", "\n    WHERE\n", "\n    ORDER BY\n"):
        assert clause in clauses


def test_the_layout_changes_no_plan(db: sa.Connection) -> None:
    """PostgreSQL plans each laid-out step exactly as SQLAlchemy's own one-line rendering."""
    seed(db, *production_shape())
    revision = revision_module()
    explain = "EXPLAIN (VERBOSE, COSTS OFF) "

    def same_plan(laid: str, one_line: str) -> bool:
        assert laid != one_line
        plans = [db.execute(sa.text(explain + sql)).scalars().all() for sql in (laid, one_line)]
        return plans[0] == plans[1]

    compared = 0
    for step in revision.migration_statements(revision.legacy_tables()):
        if step.source is not None:
            one_line = literal_sql(step.source)
            assert same_plan(step.sql, f"{step.before}\n{one_line}" if step.before else one_line)
            compared += 1
        db.execute(step)
    # the run, adoption (4), the snapshot, the plan's two tables, sessions, messages, late
    # messages and titles (2 each)
    assert compared == 16
    assert same_plan(laid_out(revision.missing()), literal_sql(revision.missing()))  # the proof


def production_shape() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A few sessions, messages linked directly, by external id, and not at all."""
    sessions = [legacy_session(started_at=T0 + timedelta(hours=i),
                               metadata={"openclaw_session_id": f"oc-{i}", "source": "openclaw"})
                for i in range(5)]  # fmt: skip
    messages = [legacy_message(session_id=sessions[0]["id"], content="it's 100% :done",
                               created_at=sa.null()),
                legacy_message(external_session_id="oc-3", created_at=T0),
                legacy_message(external_session_id="oc-404", created_at=T0)]  # fmt: skip
    return sessions, messages


def test_offline_sql_is_what_runs_online_and_gives_the_same_rows(
    alembic_cfg: Config, db: sa.Connection, engine: sa.Engine, pg_server: sa.URL
) -> None:
    sessions, messages = production_shape()
    seed(db, sessions, messages)
    db.commit()
    with data_statements_sent(engine) as sent:
        command.upgrade(alembic_cfg, "head")

    printed = offline_sql(f"{BEFORE_HISTORY}:{HISTORY}")
    assert sent == data_statements(printed)
    assert len(sent) == 26  # 5 settings, guard, run, 4 adoption, snapshot, 4 plan, 6 writes,
    # the titles' ANALYZE and 2 titles, proof

    with fresh_database(pg_server) as copy_url:
        copy = sa.create_engine(copy_url, poolclass=sa.pool.NullPool)
        alembic("upgrade", BEFORE_HISTORY, database_url=copy_url)
        with copy.begin() as connection:
            seed(connection, sessions, messages)
        apply_with_psql(copy_url, printed)
        assert comparable(copy) == comparable(engine)
        assert version(copy) == [HISTORY]
        copy.dispose()


def test_a_least_privilege_role_can_run_it(
    engine: sa.Engine, database_url: sa.URL, db: sa.Connection
) -> None:
    seed(db, *production_shape())
    db.commit()
    grants = (
        "GRANT USAGE ON SCHEMA public, aria_engine TO {role}",
        "GRANT SELECT ON public.agent_sessions, public.session_messages TO {role}",
        "GRANT SELECT, INSERT ON aria_engine.chat_sessions, aria_engine.chat_messages, "
        "aria_engine.chat_sessions_archive, aria_engine.chat_messages_archive TO {role}",
        "GRANT UPDATE (message_count, updated_at, title, metadata) ON aria_engine.chat_sessions, "
        "aria_engine.chat_sessions_archive TO {role}",
        "GRANT DELETE, UPDATE (total_tokens, total_cost) ON aria_engine.chat_sessions TO {role}",
        "GRANT SELECT, INSERT ON public.s8_06_runs, public.s8_06_carried_sessions, "
        "public.s8_06_carried_messages TO {role}",
        "GRANT UPDATE (read_snapshot) ON public.s8_06_runs TO {role}",
        "GRANT SELECT, UPDATE ON public.alembic_version_aria_migrations TO {role}",
    )
    with scratch_role(database_url, *grants) as role:
        result = alembic("upgrade", "head", database_url=database_url.set(username=role))
    assert "5 legacy, 2 into chat_sessions, 3 into chat_sessions_archive" in result.stderr
    assert version(engine) == [HISTORY]
