# RRP: the two commands are `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
VENDOR := src/rrp/static/vendor
DEMO_FLAGS ?= --providers 3 --wards-per-provider 4 --years 2 --seed 1

.PHONY: help run test test-browser check architecture fix bench bench-data demo-data assets install migrate lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

$(BIN)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet -p $(PY) -r requirements.lock
	$(BIN)/uv pip install --quiet -p $(PY) --no-deps -e .
	@touch $@

install: $(BIN)/.installed ## Create .venv and install the locked dependencies

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The source maps go too: the files name them, and `rrp collectstatic` (hashed names for production)
# refuses a file whose reference it cannot resolve.
$(VENDOR)/.built: node_modules/.installed Makefile
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/nhsuk-frontend $(VENDOR)/js
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.{css,js}{,.map} $(VENDOR)/nhsuk-frontend/
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets $(VENDOR)/nhsuk-frontend/assets
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/vega/build/vega.min.js \
	   node_modules/vega-lite/build/vega-lite.min.js{,.map} node_modules/vega-embed/build/vega-embed.min.js{,.map} \
	   node_modules/axe-core/axe.min.js $(VENDOR)/js/
	@touch $@

assets: $(VENDOR)/.built ## Install and copy the browser assets (NHS.UK frontend, htmx, Vega, axe-core)

migrate: install ## Apply migrations to the local demo database (SQLite under var/ unless DATABASE_URL is set)
	@mkdir -p var
	RRP_DEMO=1 $(BIN)/rrp migrate --no-input -v 0

var/.demo-loaded:
	RRP_DEMO=1 $(BIN)/rrp demo-data $(DEMO_FLAGS)
	@touch $@

run: install assets migrate var/.demo-loaded ## Set everything up and serve the demo on http://127.0.0.1:8000
	@RRP_DEMO=1 $(BIN)/rrp demo-logins
	@# The background worker beside it (long exports, reminders, the nightly refresh), stopped with it.
	RRP_DEMO=1 DEBUG=1 $(BIN)/rrp worker & trap 'kill $$!' EXIT INT TERM; RRP_DEMO=1 DEBUG=1 $(BIN)/rrp runserver 127.0.0.1:8000

demo-data: install migrate ## Rebuild the demo data (DEMO_FLAGS=...)
	RRP_DEMO=1 $(BIN)/rrp demo-data $(DEMO_FLAGS)
	@touch var/.demo-loaded

test: install assets ## Run the whole suite on SQLite, or on PostgreSQL when DATABASE_URL is set; COVERAGE=1 adds the coverage gate
	$(BIN)/pytest $(PYTEST_ARGS) $(if $(COVERAGE),--cov --cov-report=)
	$(if $(COVERAGE),$(PY) scripts/coverage_gate.py)

test-browser: install assets ## Run only the browser tests (Playwright driving Debian's chromium)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

check: install ## Lint: ruff, import contracts and docs/architecture.md, dependencies, templates, the view-scoping lint, missing migrations
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports
	$(PY) scripts/architecture.py --check
	$(BIN)/deptry src
	$(BIN)/djlint --lint src/rrp $(wildcard src/rrp/*/jinja2/*.html)
	$(PY) scripts/lint_views.py
	RRP_TESTING=1 $(BIN)/rrp makemigrations --check --dry-run

architecture: install ## Rewrite the layers and dependencies in docs/architecture.md from pyproject.toml and the imports
	$(PY) scripts/architecture.py

fix: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix src tests bench scripts
	$(BIN)/ruff format src tests bench scripts

# Every benchmark (docs/performance.md says what each measures and its targets). The page benchmarks need
# national-size demo data: each database is built once under $(BENCH_DIR) (several minutes each) and
# reused. For a quick check that everything runs, shrink them, e.g.
#   make bench BENCH_DIR=var/bench-quick SPC_BENCH_FLAGS="--repeat 3 --skip-peer" DEMO_BENCH_FLAGS="--sizes small" \
#     IMPORT_BENCH_FLAGS="--interventions 20000" FORCE_PAGES_BENCH_FLAGS="--repeat 3" SCOPE_BENCH_FLAGS="--repeat 3" \
#     REPORTS_BENCH_FLAGS="--repeat 2 --pdf-repeat 1 --warmup 1" \
#     FORCE_DEMO_FLAGS="--providers 2 --wards-per-provider 3 --years 1 --seed 1" \
#     REPORTS_DEMO_FLAGS="--providers 2 --wards-per-provider 3 --years 1 --seed 1"
BENCH_DIR ?= var/bench
SPC_BENCH_FLAGS ?= --peer-series 100
DEMO_BENCH_FLAGS ?=
IMPORT_BENCH_FLAGS ?=
FORCE_PAGES_BENCH_FLAGS ?=
SCOPE_BENCH_FLAGS ?=
REPORTS_BENCH_FLAGS ?=
FORCE_DEMO_FLAGS ?= --providers 100 --wards-per-provider 15 --years 5 --seed 1 --end-date 2025-12-31
REPORTS_DEMO_FLAGS ?= --providers 30 --wards-per-provider 50 --years 5 --seed 1 --end-date 2026-11-30
FORCE_BENCH_DB := sqlite:///$(CURDIR)/$(BENCH_DIR)/force/national.sqlite3
REPORTS_BENCH_DB := sqlite:///$(CURDIR)/$(BENCH_DIR)/reports/national.sqlite3

$(BENCH_DIR)/%/.built:
	@mkdir -p $(dir $@)
	RRP_DEMO=1 DATABASE_URL=$(DB) $(BIN)/rrp migrate --no-input -v 0
	RRP_DEMO=1 DATABASE_URL=$(DB) $(BIN)/rrp demo-data $(FLAGS)
	@touch $@

$(BENCH_DIR)/force/.built: DB = $(FORCE_BENCH_DB)
$(BENCH_DIR)/force/.built: FLAGS = $(FORCE_DEMO_FLAGS)
$(BENCH_DIR)/reports/.built: DB = $(REPORTS_BENCH_DB)
$(BENCH_DIR)/reports/.built: FLAGS = $(REPORTS_DEMO_FLAGS)

bench-data: install $(BENCH_DIR)/force/.built $(BENCH_DIR)/reports/.built ## Build the national demo databases the page benchmarks need (once)

bench: install bench-data ## Run every benchmark under bench/ on SQLite (see docs/performance.md)
	$(PY) bench/spc_bench.py $(SPC_BENCH_FLAGS)
	$(PY) bench/demo_data_bench.py $(DEMO_BENCH_FLAGS)
	$(PY) bench/force_import_bench.py --sqlite-only $(IMPORT_BENCH_FLAGS)
	RRP_DEMO=1 DATABASE_URL=$(FORCE_BENCH_DB) $(PY) bench/force_pages_bench.py $(FORCE_PAGES_BENCH_FLAGS)
	RRP_DEMO=1 DATABASE_URL=$(FORCE_BENCH_DB) $(PY) bench/scope_bench.py $(SCOPE_BENCH_FLAGS)
	RRP_DEMO=1 DEBUG=1 DATABASE_URL=$(REPORTS_BENCH_DB) $(PY) bench/reports_bench.py $(REPORTS_BENCH_FLAGS)

lock: ## Re-lock the Python dependencies after editing pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench -p $(PY) -o requirements.lock

clean: ## Remove the virtualenv, node_modules, built assets and the local database
	rm -rf $(VENV) node_modules $(VENDOR) var
