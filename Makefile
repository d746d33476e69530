# `make demo` is the README's first command: the whole migration on a throwaway PostgreSQL.
# `make test` builds .venv, installs the project with its test dependencies, and runs every
# test on a real PostgreSQL (TEST_DATABASE_URL if set, else one it starts itself).
# `make lint` is what CI checks besides the tests: ruff, mypy (strict), Squawk per revision.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: demo test lint install bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python .ci/lint_sql.py

demo: install
	$(BIN)/python -m demo

# Minutes, not seconds: 10k, 100k and 1M legacy rows, each migrated 3 times two ways.
bench: install
	$(BIN)/python -m benchmarks.run
