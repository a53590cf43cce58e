# The two commands a newcomer needs: `make dev` and `make test`. Both create .venv on first use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The message catalogs (language/locales/<language>/LC_MESSAGES): .po is the source, .mo is compiled by make.
CATALOGS := $(wildcard language/locales/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
# The web app's style (Digdir's Designsystemet) and the accessibility tests' axe-core, from npm (package-lock.json);
# served from node_modules by the web app, never copied into the repository.
NODE_STAMP := node_modules/.installed

.PHONY: dev demo web test lint format faults bench histories clean codec-key codec-server messages messages-compile

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

language/locales/%/LC_MESSAGES/messages.mo: language/locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(VENV)/bin/pybabel compile --domain messages --input-file $< --output-file $@

## Compile the message catalogs (every target that runs the system does this first).
messages-compile: $(COMPILED)

## Extract every message of the code and templates into language/messages.pot and merge it into each catalog;
## then translate the new entries (empty or fuzzy) in language/locales/*/LC_MESSAGES/messages.po.
messages: $(STAMP)
	$(VENV)/bin/pybabel extract --mapping-file babel.cfg --no-wrap --sort-by-file --project guidance-engine \
		--msgid-bugs-address "" --output-file language/messages.pot .
	$(VENV)/bin/pybabel update --no-wrap --domain messages --input-file language/messages.pot \
		--output-dir language/locales --ignore-obsolete
	$(MAKE) messages-compile

## Run the whole system locally: Temporal dev server + Web UI, embedded PostgreSQL, worker, and the web app
## for coordinators and advisers (http://localhost:8000).
dev: $(STAMP) $(COMPILED) $(NODE_STAMP)
	$(PY) -m devstack

## As `make dev`, and start a few real-looking demo periods.
demo: $(STAMP) $(COMPILED) $(NODE_STAMP)
	$(PY) -m devstack --demo

## The web app on its own, against DATABASE_URL and the Temporal that TEMPORAL_ADDRESS names (docs/web-app.md).
web: $(STAMP) $(COMPILED) $(NODE_STAMP)
	$(PY) -m webapp

## Print a new payload encryption key for GUIDANCE_CODEC_KEYS (docs/operating.md, "Protected data").
codec-key: $(STAMP)
	@$(PY) -m starter.codec_keys

## The codec server the Web UI and the temporal CLI decode through (needs GUIDANCE_CODEC_KEYS).
codec-server: $(STAMP)
	$(PY) -m starter.codec_server

## Lint, type-check, check the import rules between the layers and run the whole test suite (what CI runs).
test: $(STAMP) $(COMPILED) $(NODE_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Fault tests that take over a minute each (worker killed mid cohort start, PostgreSQL down a minute);
## the shorter ones run in `make test`. Figures: terminal summary and faults-results.jsonl in pytest's temp folder.
faults: $(STAMP) $(COMPILED) $(NODE_STAMP)
	$(VENV)/bin/pytest tests/faults -m faults

## Benchmarks: each figure beside a baseline measured in the same run, then one summary table of all of them
## (bench/results/*.json). `make bench BENCH_ARGS=--quick` for a smoke run; `bench/all.py --help` for the options.
bench: $(STAMP) $(COMPILED)
	$(PY) bench/all.py $(BENCH_ARGS)

## Record replay histories of the current workflow version into tests/histories/.
histories: $(STAMP) $(COMPILED)
	$(PY) tests/histories/record.py

clean:
	rm -rf $(VENV) node_modules build *.egg-info .mypy_cache .pytest_cache .ruff_cache
