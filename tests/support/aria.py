"""Aria databases as production has them, in both eras of ../shared/aria/DEPLOYMENTS.md.

Written in our own SQL from the facts there (``sql/aria/``): ``feb18``, the legacy tables in
``public`` and the application's Alembic at ``s48``; ``current``, the legacy tables only in
``aria_data`` (with a table referencing both), the application at ``s52``, ``chat_messages``
with ``agent_id`` and an embedding stand-in, and the application's archive tables; its
``history`` also holds what the application wrote after it renamed "openclaw" on 2026-02-19
(``renamed.sql``: sessions named by ``aria_session_id`` or only ``external_session_id``).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Self

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tests.support.legacy import run_sql

SQL = Path(__file__).parent / "sql" / "aria"
LEGACY_SCHEMA = {"feb18": "public", "current": "aria_data"}
APPLICATION_VERSION = {"feb18": "s48_add_aria_engine_tables",
                       "current": "s52_pg17_pgvector_hnsw_upgrade"}  # fmt: skip
# history.sql; the current era adds renamed.sql (20 sessions, 18 of them with 47 messages
# between them, every one placed by an external id: 38 by aria_session_id, 9 by
# external_session_id).
RENAMED = {"sessions": 20, "sessions_with_messages": 18, "messages": 47,
           "by_aria_session_id": 38, "by_external_session_id": 9}  # fmt: skip
OPENCLAW_HISTORY = {"sessions": 240, "messages": 360}
HISTORY = {
    "feb18": OPENCLAW_HISTORY,
    "current": {k: OPENCLAW_HISTORY[k] + RENAMED[k] for k in OPENCLAW_HISTORY},
}
# production_history.sql: most sessions hold no message, and every message can be placed.
PRODUCTION = {"sessions": 2014, "sessions_with_messages": 507, "messages": 1519}


def _uuid_default(url: sa.URL) -> str:
    """uuid_generate_v4(), as production has it, where this server ships uuid-ossp."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        available = connection.scalar(
            sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'uuid-ossp'")
        )
        if available:
            connection.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"')
    engine.dispose()
    return "uuid_generate_v4()" if available else "gen_random_uuid()"


def _application_version(version: str) -> str:
    # Wider than Alembic's default varchar(32): the application's ids run longer
    # (s50_add_embedding_agent_id_to_chat_messages).
    return f"""
CREATE TABLE public.alembic_version (
    version_num varchar(64) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO public.alembic_version (version_num) VALUES ('{version}');
"""


def aria_database(url: sa.URL, era: str, history: str = "history") -> str:
    """Build ``era``'s database at ``url``, holding ``history`` (``history``: every kind of
    legacy row; ``production_history``: production's proportions); return its legacy schema.

    In order: the era's own start, the legacy and engine tables both eras share, what the
    era added to them (``-- AFTER TABLES``), the history, what the era derived from it
    (``-- AFTER HISTORY``)."""
    run_sql(url, aria_script(era, history, _uuid_default(url)))
    return LEGACY_SCHEMA[era]


def aria_script(era: str, history: str = "history", uuid_default: str = "gen_random_uuid()") -> str:
    """The SQL that builds ``era``'s database (``aria_database``), to run on any connection."""
    schema = LEGACY_SCHEMA[era]
    start, _, rest = (SQL / f"{era}.sql").read_text().partition("-- AFTER TABLES\n")
    after_tables, _, after_history = rest.partition("-- AFTER HISTORY\n")
    script = "\n".join([
        start,
        (SQL / "legacy_tables.sql").read_text(),
        (SQL / "engine_tables.sql").read_text(),
        _application_version(APPLICATION_VERSION[era]),
        after_tables,
        (SQL / f"{history}.sql").read_text(),
        (SQL / "renamed.sql").read_text() if (era, history) == ("current", "history") else "",
        after_history,
    ])  # fmt: skip
    script = script.replace("ARCHIVE_TABLES", (SQL / "archive_tables.sql").read_text())
    return script.replace("LEGACY_SCHEMA", schema).replace("UUID_DEFAULT", uuid_default)


def install_maintenance(url: sa.URL) -> None:
    """The application's loops as functions (``sql/aria/maintenance.sql``), and the archive
    tables where missing, as the application makes them before its first cleanup."""
    run_sql(url, (SQL / "archive_tables.sql").read_text() + (SQL / "maintenance.sql").read_text())


def maintenance(url: sa.URL) -> dict[str, int]:
    """One pass of the application's three loops, each in a transaction of its own, as the
    application runs them: the sessions each took from the live table."""
    install_maintenance(url)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return one_pass(engine)
    finally:
        engine.dispose()


LOOPS = ("type_cleanup", "ghost_purge", "old_cleanup")


def one_pass(engine: sa.Engine) -> dict[str, int]:
    """Each loop's sessions; -1 for a loop that failed, which, as the application's does,
    rolls back its transaction, and the next pass tries again."""
    done = {}
    for loop in LOOPS:
        try:
            with engine.begin() as connection:
                done[loop] = connection.scalar(sa.text(f"SELECT aria_loops.{loop}()")) or 0
        except sa.exc.IntegrityError:
            done[loop] = -1
    return done


class Beside(threading.Thread):
    """Something the application does beside a deploy, sped up: ``once`` again every
    ``pause`` seconds until the ``with`` block ends, where an error it met is raised."""

    def __init__(self, url: sa.URL, pause: float) -> None:
        super().__init__(daemon=True)
        self.url, self.pause = url, pause
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def once(self, engine: sa.Engine) -> None:
        raise NotImplementedError

    def run(self) -> None:
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            while not self.stopping.is_set():
                self.once(engine)
                time.sleep(self.pause)
        except BaseException as error:  # raised again in the test, by __exit__
            self.error = error
        finally:
            engine.dispose()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self.join(timeout=60)
        if self.error is not None:
            raise self.error


class MaintenanceLoops(Beside):
    """The three loops, one pass after another."""

    def __init__(self, url: sa.URL, pause: float = 0.05) -> None:
        super().__init__(url, pause)
        install_maintenance(url)
        self.passes, self.moved = 0, 0

    def once(self, engine: sa.Engine) -> None:
        self.moved += sum(max(n, 0) for n in one_pass(engine).values())
        self.passes += 1


def application_alembic(url: sa.URL) -> Config:
    """A stand-in for the application's own Alembic environment: revisions named like its
    own, its version table at public.alembic_version."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "application"))
    config.set_main_option("path_separator", "os")
    config.attributes["url"] = url
    return config


def application_upgrade(url: sa.URL) -> None:
    command.upgrade(application_alembic(url), "head")


class ApplicationWriters(Beside):
    """What the application at its current version keeps writing into the legacy tables
    (../shared/aria/DEPLOYMENTS.md, "The application still uses the legacy tables"), sped
    up: every skill call posts a ``skill_exec`` session (no message), one in five of them is
    patched afterwards; one call in four is scored by sentiment analysis, which writes its
    ``session_messages`` row (and, where the tables exist, a ``sentiment_events`` row), and
    one in three records its model usage."""

    def __init__(self, url: sa.URL, schema: str, pause: float = 0.01) -> None:
        super().__init__(url, pause)
        self.schema = schema
        self.sessions = self.messages = self.patched = self.calls = 0

    def _call(self, connection: sa.Connection, n: int) -> None:
        s = self.schema
        session = connection.scalar(sa.text(f"""
            INSERT INTO {s}.agent_sessions (agent_id, session_type, status, ended_at, metadata)
            VALUES ('main', 'skill_exec', :status, now(), jsonb_build_object(
                'skill', 'web_search', 'function', 'search', 'duration_ms', :n % 900,
                'success', :ok, 'error', CASE WHEN :ok THEN NULL ELSE 'timeout' END))
            RETURNING id"""), {"status": "completed" if n % 7 else "error", "n": n,
                                "ok": bool(n % 7)})  # fmt: skip
        self.sessions += 1
        if n % 5 == 0:  # PATCH /sessions/{id}
            connection.execute(sa.text(
                f"UPDATE {s}.agent_sessions SET status = 'error', "
                f"metadata = metadata || '{{\"error\": \"patched\"}}' WHERE id = :id"),
                {"id": session})  # fmt: skip
            self.patched += 1
        if n % 3 == 0 and self._has(connection, "model_usage"):
            usage = f"INSERT INTO {s}.model_usage (session_id, model, tokens) VALUES (:id, 'q', :n)"
            connection.execute(sa.text(usage), {"id": session, "n": n})
        if n % 4 == 0:  # sentiment scoring: the message's row, found again by hash and role
            message = connection.scalar(sa.text(f"""
                INSERT INTO {s}.session_messages (session_id, external_session_id, agent_id,
                    role, content, content_hash, source_channel, metadata)
                VALUES (:id, 'aria:skill:' || :n, 'main', 'user', 'how did the search go? ' || :n,
                        md5('scored ' || :n), 'web', '{{}}')
                ON CONFLICT DO NOTHING RETURNING id"""), {"id": session, "n": n})  # fmt: skip
            if message is not None:
                self.messages += 1
                if self._has(connection, "sentiment_events"):
                    connection.execute(sa.text(
                        f"INSERT INTO {s}.sentiment_events (message_id, session_id, "
                        "sentiment_label) VALUES (:m, :id, 'neutral')"),
                        {"m": message, "id": session})  # fmt: skip

    def _has(self, connection: sa.Connection, table: str) -> bool:
        return (
            connection.scalar(sa.select(sa.func.to_regclass(f"{self.schema}.{table}"))) is not None
        )

    def once(self, engine: sa.Engine) -> None:
        self.calls += 1
        with engine.begin() as connection:
            self._call(connection, self.calls)
