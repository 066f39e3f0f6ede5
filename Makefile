# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit browser bench fuzz eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Exit status 3 means the run completed and published, with some tables quarantined or inputs
# rejected (listed in the summary and curated/current/_run.json): not a failure of `make run`.
run: $(STAMP)
	$(BIN)/budget-etl run --raw raw --out curated || [ $$? -eq 3 ]
	$(BIN)/budget-etl report --out curated

eval: run
	$(BIN)/budget-etl eval --truth tests/data/*.truth.json --cells curated/current/cells

# The test command of the README and of CI: lint, types, then the test suite.
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check pipeline tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) browser
	$(BIN)/python -m pytest -q

# The validation report is tested in a real browser: Debian's Chromium, installed when missing.
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

bench: $(STAMP)
	$(BIN)/python bench/bench.py

# Larger sweeps than CI runs, each printing its figures: the multi-producer layout fuzzer
# (extraction recall and precision per producer and feature) and fault injection into the
# samples' statutory tables (the gates' catch rate and false alarms); and 50 SIGKILLs at random
# points of a publication, each followed by a BI-style read of curated/current (issue 12).
fuzz: $(STAMP) browser
	$(BIN)/python -m tests.fuzz.sweep --tables-per-producer 300 --seed 1
	$(BIN)/python -m pipeline.quality.faults raw/*.pdf --trials 200
	PYTHONPATH=tests/support $(BIN)/python tests/support/kill_sweep.py --kills 200 --seed 1

clean:
	rm -rf curated/current curated/snapshots curated/_stages curated/_last_run \
	       curated/_history.json
