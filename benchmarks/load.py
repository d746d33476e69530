"""What the application does to aria-db while a deploy runs, as its API and engine do it:
a message written into the live chat every 10 ms (the message, then its session's count
and time, one transaction), and the 50 newest chats listed every 50 ms (the chat list's
page: agent sessions hidden, newest first, ``src/api/routers/engine_sessions.py`` at
``ba6f888``). Its statements are prepared, as the application's asyncpg prepares them
(psycopg does after a statement's fifth run), and keep their plans until the planner's
statistics of a table they read change. Every operation is timed; one that fails (the
server gone) is counted, and the load connects again.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

LIVE_CHAT = "00000000-0000-4000-8000-00000000c4a7"
CREATE_LIVE_CHAT = f"""
INSERT INTO aria_engine.chat_sessions (id, agent_id, session_type, title, status, metadata,
                                       created_at, updated_at)
VALUES ('{LIVE_CHAT}', 'main', 'interactive', 'Live chat', 'active', '{{}}', now(), now())
"""
WRITE = (
    "INSERT INTO aria_engine.chat_messages (session_id, role, content, metadata) "
    f"VALUES ('{LIVE_CHAT}', 'user', 'still here?', '{{}}')",
    "UPDATE aria_engine.chat_sessions SET message_count = message_count + 1, "
    f"updated_at = now() WHERE id = '{LIVE_CHAT}'",
)
LIST = (
    "SELECT id, agent_id, title, model, status, session_type, message_count, total_tokens, "
    "total_cost, created_at, updated_at, ended_at FROM aria_engine.chat_sessions "
    "WHERE session_type NOT IN ('cron', 'swarm', 'subagent') ORDER BY updated_at DESC LIMIT 50"
)


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    failed: int = 0

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.seconds) or [0.0]
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        return {
            "n": len(self.seconds), "p50_ms": 1000 * statistics.median(ordered),
            "p99_ms": 1000 * p99, "max_ms": 1000 * ordered[-1],
            "over_1s": sum(1 for s in self.seconds if s > 1.0), "failed": self.failed,
        }  # fmt: skip


class Operation(threading.Thread):
    """One of the application's connections, doing ``statements`` every ``every`` seconds."""

    def __init__(self, url: sa.URL, statements: tuple[str, ...], every: float) -> None:
        super().__init__(daemon=True)
        self.url, self.statements, self.every = url, statements, every
        self.timings = Timings()
        self.backend_pids: set[int] = set()
        self.stopping = threading.Event()

    def run(self) -> None:
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        due = time.monotonic()
        while not self.stopping.is_set():
            try:
                with engine.connect() as connection:
                    self.backend_pids.add(connection.exec_driver_sql(
                        "SELECT pg_backend_pid()").scalar_one())  # fmt: skip
                    connection.commit()
                    while not self.stopping.is_set():
                        due = max(due + self.every, time.monotonic() - 1.0)  # no catch-up burst
                        time.sleep(max(0.0, due - time.monotonic()))
                        started = time.perf_counter()
                        for statement in self.statements:
                            connection.exec_driver_sql(statement).close()
                        connection.commit()
                        self.timings.seconds.append(time.perf_counter() - started)
            except sa.exc.DBAPIError:
                self.timings.failed += 1
                self.stopping.wait(0.5)
        engine.dispose()


class Application:
    """The writer and the chat list, started and stopped together."""

    def __init__(self, url: sa.URL) -> None:
        self.writes = Operation(url, WRITE, 0.010)
        self.lists = Operation(url, (LIST,), 0.050)

    def __enter__(self) -> Application:
        self.writes.start()
        self.lists.start()
        return self

    def __exit__(self, *_: object) -> None:
        for operation in (self.writes, self.lists):
            operation.stopping.set()
        for operation in (self.writes, self.lists):
            operation.join(timeout=30)

    def backend_pids(self) -> set[int]:
        return self.writes.backend_pids | self.lists.backend_pids
