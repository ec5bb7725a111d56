# jobmatch: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test bench bench-import clean

$(BIN)/jobmatch: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(BIN)/jobmatch

install: $(BIN)/jobmatch

run: install
	$(BIN)/jobmatch setup
	$(BIN)/jobmatch serve

test: install
	$(BIN)/python -m pytest

bench-import: install
	$(BIN)/python benchmarks/import_speed.py --postgres "$${JOBMATCH_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

.PHONY: bench-matching bench-quality
bench-matching: install
	$(BIN)/python benchmarks/match_latency.py

bench-quality: install
	$(BIN)/python benchmarks/match_quality.py

bench: bench-matching bench-quality

bench: bench-import

clean:
	rm -rf $(VENV) var .pytest_cache
