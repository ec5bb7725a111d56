# jobmatch: `make run` serves the demo, `make test` runs the whole suite, `make lint` runs ruff and mypy.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV := $(VENV)/.dev-tools

.PHONY: install install-dev run test lint bench bench-import clean

# What running needs, and nothing more: `make run` on a fresh clone installs no test or lint tools.
$(BIN)/jobmatch: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "jobmatch needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1). Try: make run PYTHON=python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(BIN)/jobmatch

# The test and lint tools on top (pytest, schemathesis, notebooks, ruff, mypy...), for `make test` and `make lint`,
# and the optional Redis client, so that the tests cover the rate counters in Redis too (when a Redis answers).
$(DEV): $(BIN)/jobmatch
	$(BIN)/python -m pip install --quiet -e ".[test,lint,redis]"
	touch $(DEV)

install: $(BIN)/jobmatch

install-dev: $(DEV)

run: install
	$(BIN)/jobmatch setup
	$(BIN)/jobmatch serve

# Two pytest workers by default (TEST_WORKERS=1 for one process): each has its own databases, and every test file
# runs whole on one worker, so a file's shared fixtures are built once.
TEST_WORKERS ?= 2
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# ruff (rules in pyproject.toml) on the packages, then mypy (its files and settings are in pyproject.toml);
# both run, and the target fails if either finds a problem.
lint: install-dev
	$(BIN)/ruff check .; status=$$?; $(BIN)/mypy || status=1; exit $$status

bench-import: install-dev
	$(BIN)/python benchmarks/import_speed.py --postgres "$${JOBMATCH_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

bench-load: install-dev
	$(BIN)/python benchmarks/load.py --postgres "$${JOBMATCH_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

bench-limits: install-dev
	$(BIN)/python benchmarks/rate_limit.py --postgres "$${JOBMATCH_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

.PHONY: screenshots bench-console bench-load bench-limits bench-matching bench-quality bench-engine bench-nightly bench-assignment bench-demand bench-outcome \
	bench-selection bench-ops bench-request-cpu bench-fairness bench-sites
bench-matching: install-dev
	$(BIN)/python benchmarks/match_latency.py
	$(BIN)/python benchmarks/candidates_at_scale.py

bench-quality: install-dev
	$(BIN)/python benchmarks/match_quality.py

bench-engine: install-dev
	$(BIN)/python benchmarks/matching_engine.py

bench-nightly: install-dev
	$(BIN)/python benchmarks/nightly_run.py --scale 10000x2000 --scale 100000x20000 --engine local --engine dask --quality

bench-assignment: install-dev
	$(BIN)/python benchmarks/assignment_solver.py

bench-fairness: install-dev
	$(BIN)/python benchmarks/fairness.py --solver-scale 100000x20000

bench-sites: install-dev
	$(BIN)/python benchmarks/two_sites.py --postgres "$${JOBMATCH_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

bench-ops: install-dev
	$(BIN)/python benchmarks/operations.py

bench-request-cpu: install-dev
	$(BIN)/python benchmarks/request_cpu.py --postgres "$${JOBMATCH_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

bench-demand: install-dev
	$(BIN)/python benchmarks/demand_backtest.py

screenshots: install-dev
	rm -rf .screenshots && JOBMATCH_SCREENSHOT_DIR=$$PWD/.screenshots $(BIN)/python -m pytest -q tests/service/console/test_browser.py
	cp .screenshots/sqlite/*.png docs/console/ && rm -rf .screenshots

bench-console: install-dev
	$(BIN)/python benchmarks/console_pages.py

bench-outcome: install-dev
	$(BIN)/python benchmarks/outcome_quality.py

bench-selection: install-dev
	$(BIN)/python benchmarks/outcome_selection.py

bench: bench-import bench-console bench-matching bench-quality bench-engine bench-nightly bench-assignment bench-demand bench-outcome bench-selection bench-ops \
	bench-limits bench-request-cpu bench-fairness bench-sites

clean:
	rm -rf $(VENV) var .pytest_cache
