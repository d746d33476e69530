"""Legacy rows the application still writes while a deploy runs never fail it: the run
proves exactly what it read, and the next run carries the rest.

A writer thread commits legacy sessions and messages (new sessions, and late messages into
old ones) all through the run; a trigger slows each engine message down, so that many of
those commits land between the plan and the proof.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
import sqlalchemy as sa

from tests.support.commands import BEFORE_HISTORY, alembic, apply_with_psql, offline_sql
from tests.support.history import legacy_message, legacy_session, production_history, seed

SIZE = 200


class LegacyWriter(threading.Thread):
    """Commits a legacy session with a message, and a late message into an old session,
    every few milliseconds until stopped."""

    def __init__(self, url: sa.URL, old_sessions: list[object]) -> None:
        super().__init__(daemon=True)
        self.url, self.old_sessions = url, old_sessions
        self.stopping = threading.Event()
        self.commits = 0

    def run(self) -> None:
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        chooser = random.Random(7)  # noqa: S311  # which old session, not a secret
        with engine.connect() as connection:
            while not self.stopping.is_set():
                session = legacy_session()
                seed(connection, sessions=[session], messages=[
                    legacy_message(session_id=session["id"]),
                    legacy_message(session_id=chooser.choice(self.old_sessions)),
                ])  # fmt: skip
                connection.commit()
                self.commits += 1
                time.sleep(0.005)
        engine.dispose()

    def stop(self) -> int:
        self.stopping.set()
        self.join(timeout=30)
        return self.commits


def counts(engine: sa.Engine) -> dict[str, int]:
    """Legacy sessions; engine sessions, live or archived; those whose message_count is not
    the number of messages beside them (live with live, archived with archived)."""
    wrong = """SELECT count(*) FROM aria_engine.chat_sessions{a} AS s
        WHERE s.message_count IS DISTINCT FROM (SELECT count(*)
            FROM aria_engine.chat_messages{a} AS m WHERE m.session_id = s.id)"""
    with engine.connect() as connection:
        return dict(connection.execute(sa.text(f"""
            SELECT 'legacy sessions', count(*) FROM public.agent_sessions
            UNION ALL SELECT 'engine sessions', (SELECT count(*) FROM aria_engine.chat_sessions)
                + (SELECT count(*) FROM aria_engine.chat_sessions_archive)
            UNION ALL SELECT 'counted wrong',
                ({wrong.format(a="")}) + ({wrong.format(a="_archive")})
        """)).all())  # fmt: skip


RUNS: dict[str, tuple[str, ...]] = {"online": (), "offline": (), "batched": ("-x", "batch_size=20")}


@pytest.mark.parametrize("run", sorted(RUNS))
def test_legacy_writes_during_the_run_never_fail_it(
    database_url: sa.URL, engine: sa.Engine, run: str
) -> None:
    production_history(database_url, SIZE)
    alembic("upgrade", BEFORE_HISTORY, database_url=database_url)
    with engine.begin() as connection:
        old = list(connection.scalars(sa.text("SELECT id FROM public.agent_sessions")))
        connection.execute(sa.text(
            "CREATE FUNCTION public.slow() RETURNS trigger LANGUAGE plpgsql "
            "AS 'BEGIN PERFORM pg_sleep(0.003); RETURN NEW; END';"
            "CREATE TRIGGER slow BEFORE INSERT ON aria_engine.chat_messages "
            "FOR EACH ROW EXECUTE FUNCTION public.slow()"
        ))  # fmt: skip

    def upgrade() -> None:
        if run == "offline":
            apply_with_psql(database_url, offline_sql(f"{BEFORE_HISTORY}:head"))
        else:
            alembic(*RUNS[run], "upgrade", "head", database_url=database_url)

    writer = LegacyWriter(database_url, old)
    writer.start()
    try:
        upgrade()
    finally:
        written = writer.stop()
    during = counts(engine)
    assert written > 20
    # Some sessions arrived after the run had read the legacy tables: left for the next run.
    assert during["legacy sessions"] > during["engine sessions"] >= SIZE

    alembic("downgrade", "-1", database_url=database_url)
    upgrade()
    after = counts(engine)
    assert after["engine sessions"] == after["legacy sessions"] == SIZE + written
    assert after["counted wrong"] == 0
