# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Where `make run` serves: `make run PORT=8123`, `make run HOST=0.0.0.0 PORT=8123`. HOST is taken from the
# command line only: many shells and CI images export HOST as the machine's name.
ifneq ($(origin HOST),command line)
HOST := 127.0.0.1
endif
PORT ?= 8000

.PHONY: run test lint fmt venv migrate bench-lookup bench-sign bench-sign-cpu bench-letters bench-metrics clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# The embedded default: SQLite, a filesystem broker and a local cache under var/, console backends.
# Links (share, email, embed, webhooks) follow HOST:PORT unless PUBLIC_BASE_URL is set (runstack sees to it).
run: export DEBUG ?= true
run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py sync_congress --if-empty
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runstack --addr $(HOST):$(PORT)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --no-input

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff, the import contracts of pyproject.toml (the dependency direction), then mypy. mypy's Django plugin
# imports the settings: DEBUG=true spares it a SECRET_KEY.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=true $(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-lookup: $(STAMP)
	$(BIN)/python -m bench.lookup

# Needs PostgreSQL (DATABASE_URL) and wrk; REDIS_URL recommended. Not run in CI.
bench-sign: $(STAMP)
	$(BIN)/python -m bench.sign
# CPU per sign request in-process (WSGI handler, no HTTP), full sign path and bare view; needs DATABASE_URL.
bench-sign-cpu: $(STAMP)
	$(BIN)/python -m bench.sign_cpu
# Needs DATABASE_URL (PostgreSQL) and REDIS_URL: real workers deliver to a fake CWC on loopback.
bench-letters: $(STAMP)
	$(BIN)/python -m bench.letters

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .import_linter_cache

# Needs PostgreSQL (DATABASE_URL). Loads 1M signatures, 200k calls and 200k letters once (kept), then
# times the metrics API. Not run in CI.
bench-metrics: $(STAMP)
	$(BIN)/python -m bench.metrics
