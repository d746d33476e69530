"""``make mutate``: plant each mutant of ``mutants/catalogue.py``, one at a time, run the
tests that should catch it, and say which survive, with the score. Not part of CI (about
twenty minutes); it needs a PostgreSQL as the tests do (``TEST_DATABASE_URL``, or its own).

    .venv/bin/python -m mutants.run                 # every mutant
    .venv/bin/python -m mutants.run --only verify   # those whose name contains "verify"
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from mutants.catalogue import MUTANTS, Mutant

ROOT = Path(__file__).resolve().parents[1]


def planted(mutant: Mutant) -> bool:
    """True if the tests catch ``mutant`` (they fail); the file is restored either way."""
    path = ROOT / mutant.path
    text = path.read_text()
    if text.count(mutant.original) != 1:
        raise SystemExit(f"{mutant.name}: the text to mutate is not in {mutant.path} exactly "
                         "once; update mutants/catalogue.py")  # fmt: skip
    path.write_text(text.replace(mutant.original, mutant.mutated))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
             *mutant.tests],
            cwd=ROOT, env=os.environ, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
    finally:
        path.write_text(text)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{mutant.name}: pytest could not run (exit {result.returncode}):\n"
                         f"{result.stdout[-2000:]}")  # fmt: skip
    return result.returncode == 1


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m mutants.run", description=__doc__)
    parser.add_argument("--only", default="", help="run the mutants whose name contains this")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if args.only in m.name]
    killed, survived = [], []
    for mutant in chosen:
        started = time.monotonic()
        caught = planted(mutant)
        (killed if caught else survived).append(mutant)
        verdict = "killed" if caught else "SURVIVED"
        print(f"{verdict:<9} {time.monotonic() - started:5.0f} s  {mutant.name}", flush=True)
    print(f"\nscore: {len(killed)} of {len(chosen)} mutants killed")
    for mutant in survived:
        print(f"survived: {mutant.name} ({mutant.path})")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
