"""No stale path in the README or docs/: every file, folder or module they name exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A path in this tree (db/migrate/layout.py, deploy/compose.yaml, .ci/run …) or a module
# (db.verify, db.migrate.record …); not a host name such as db.internal in a URL.
PATH = re.compile(
    r"(?<![\w./@-])((?:\.ci|db|alembic|deploy|tests|docs|demo|benchmarks|mutants)/[\w./*-]*[\w/*])"
)
MODULE = re.compile(r"(?<![\w./@-])(db(?:\.\w+)+)")


def named_paths(text: str) -> set[str]:
    return {match.rstrip("/") for match in PATH.findall(text)}


def named_modules(text: str) -> set[str]:
    return set(MODULE.findall(text))


def path_exists(path: str) -> bool:
    return any(ROOT.glob(path)) if "*" in path else (ROOT / path).exists()


def module_exists(module: str) -> bool:
    where = ROOT.joinpath(*module.split("."))
    return where.with_suffix(".py").exists() or (where / "__init__.py").exists()


def test_the_pages_name_paths_and_modules() -> None:
    text = "".join(page.read_text() for page in PAGES)
    assert len(named_paths(text)) > 20
    assert "db.verify" in named_modules(text)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_path_a_page_names_exists(page: Path) -> None:
    text = page.read_text()
    stale = sorted(path for path in named_paths(text) if not path_exists(path))
    stale += sorted(module for module in named_modules(text) if not module_exists(module))
    assert stale == []


def test_a_stale_path_is_caught() -> None:
    text = "see `db/verification.py`, `db.models` and tests/db/test_verify.py; db/migrate/ is fine"
    stale = [p for p in named_paths(text) if not path_exists(p)]
    stale += [m for m in named_modules(text) if not module_exists(m)]
    assert sorted(stale) == ["db.models", "db/verification.py", "tests/db/test_verify.py"]
