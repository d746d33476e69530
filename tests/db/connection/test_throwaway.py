"""db/connection/throwaway.py: the embedded server starts however the machine's temp folder
is set up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.commands import ROOT

START_AND_QUERY = """
import sqlalchemy as sa
from db.connection.throwaway import throwaway_server
with throwaway_server() as url:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        print(connection.scalar(sa.text("SELECT 6 * 7")))
    engine.dispose()
import os
print(os.environ["XDG_RUNTIME_DIR"])
"""


def test_a_temp_folder_without_its_sticky_bit_is_no_obstacle(tmp_path: Path) -> None:
    """As in some containers: /tmp mode 777, no sticky bit, no XDG_RUNTIME_DIR."""
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o777)  # writable by anyone, and no sticky bit
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env["TMPDIR"] = str(shared)
    result = subprocess.run(
        [sys.executable, "-c", START_AND_QUERY], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer, runtime = result.stdout.split()
    assert answer == "42"
    assert not Path(runtime).is_relative_to(shared)
    assert not Path(runtime).exists(), "its runtime directory was left behind"
