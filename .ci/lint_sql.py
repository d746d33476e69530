"""Print each revision's SQL on its own (``alembic upgrade PREVIOUS:REVISION --sql``) into
build/sql/, then lint every file separately with Squawk (rules switched off in .squawk.toml,
each with its reason). Exit status: Squawk's."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "sql"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.sql"):
        old.unlink()
    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    files = []
    for revision in reversed(list(script.walk_revisions())):
        buffer = io.StringIO()
        config = Config(str(ROOT / "alembic.ini"), output_buffer=buffer)
        start = revision.down_revision or "base"
        command.upgrade(config, f"{start}:{revision.revision}", sql=True)
        path = OUT / f"{revision.revision}.sql"
        path.write_text(buffer.getvalue())
        files.append(str(path))
    squawk = Path(sys.executable).with_name("squawk")
    config = str(ROOT / ".squawk.toml")
    return subprocess.run([str(squawk), "--config", config, *files], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
