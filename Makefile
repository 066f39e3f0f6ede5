# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint typecheck unit bench fuzz eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Exit status 3 means the run completed and published, with some tables quarantined or inputs
# rejected (listed in the summary and curated/current/_run.json): not a failure of `make run`.
run: $(STAMP)
	$(BIN)/budget-etl run --raw raw --out curated || [ $$? -eq 3 ]

eval: run
	$(BIN)/budget-etl eval --truth tests/data/*.truth.json --cells curated/current/cells

# The test command of the README and of CI: lint, types, then the test suite.
test: lint typecheck unit

check: test

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check pipeline tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/bench.py

clean:
	rm -rf curated/current curated/snapshots curated/_stages curated/_last_run \
	       curated/_history.json
