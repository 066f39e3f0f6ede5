# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Exit status 3 means the run completed and published, with some tables quarantined or inputs
# rejected (listed in the summary and curated/_run.json): not a failure of `make run`.
run: $(STAMP)
	$(BIN)/budget-etl run --raw raw --out curated || [ $$? -eq 3 ]

eval: run
	$(BIN)/budget-etl eval --truth tests/data/*.truth.json --cells curated/cells

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/bench.py

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check pipeline tests bench

clean:
	rm -rf curated/cells curated/tables curated/documents curated/quarantine curated/_stages \
	       curated/_validation curated/_run.json curated/_state.json
