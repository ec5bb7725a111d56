# jobmatch: `make run` serves the demo, `make test` runs the whole suite, `make lint` runs ruff and mypy.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test lint bench bench-import clean

$(BIN)/jobmatch: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,lint]"
	touch $(BIN)/jobmatch

install: $(BIN)/jobmatch

run: install
	$(BIN)/jobmatch setup
	$(BIN)/jobmatch serve

test: install
	$(BIN)/python -m pytest

# ruff (rules in pyproject.toml) on the packages, then mypy (its files and settings are in pyproject.toml);
# both run, and the target fails if either finds a problem.
lint: install
	$(BIN)/ruff check .; status=$$?; $(BIN)/mypy || status=1; exit $$status

bench-import: install
	$(BIN)/python benchmarks/import_speed.py --postgres "$${JOBMATCH_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

bench-load: install
	$(BIN)/python benchmarks/load.py --postgres "$${JOBMATCH_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

.PHONY: bench-load bench-matching bench-quality bench-engine bench-nightly bench-assignment bench-demand bench-outcome
bench-matching: install
	$(BIN)/python benchmarks/match_latency.py

bench-quality: install
	$(BIN)/python benchmarks/match_quality.py

bench-engine: install
	$(BIN)/python benchmarks/matching_engine.py

bench-nightly: install
	$(BIN)/python benchmarks/nightly_run.py --scale 10000x2000 --scale 100000x20000 --engine local --engine dask --quality

bench-assignment: install
	$(BIN)/python benchmarks/assignment_solver.py

bench-demand: install
	$(BIN)/python benchmarks/demand_backtest.py

bench-outcome: install
	$(BIN)/python benchmarks/outcome_quality.py

bench: bench-import bench-matching bench-quality bench-engine bench-nightly bench-assignment bench-demand bench-outcome

clean:
	rm -rf $(VENV) var .pytest_cache
