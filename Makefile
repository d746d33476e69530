# `make demo` is the README's first command: the whole migration on a throwaway PostgreSQL.
# `make test` builds .venv, installs the project with its test dependencies, and runs every
# test on a real PostgreSQL (TEST_DATABASE_URL if set, else one it starts itself).
# `make lint` is what CI checks besides the tests: ruff, mypy (strict), Squawk per revision.
# `make mutate` scores the tests against planted bugs (mutants/); `make bench` times the run.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: demo test lint install bench mutate

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# One pytest worker per core (pytest-xdist); PYTEST_ARGS picks tests:
# make test PYTEST_ARGS="tests/db -k verify"
test: install
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python .ci/lint_sql.py

demo: install
	$(BIN)/python -m demo

# About half an hour: 10k, 100k and 1M legacy rows, each migrated 3 times four ways
# (docs/benchmark.md).
bench: install
	$(BIN)/python -m benchmarks.run

# Not in CI (about twenty minutes): plants each mutant of mutants/catalogue.py in turn, runs the
# tests meant to catch it, prints the survivors and the score.
mutate: install
	$(BIN)/python -m mutants.run
