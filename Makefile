# The two commands in the README: `make serve` and `make test`. Everything else is set-up they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT
FLASK := $(BIN)/flask --app app

.PHONY: serve dev test test-fast lint install browser-deps services

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

serve: install
	$(FLASK) translate compile
	$(FLASK) db upgrade
	$(FLASK) search build --if-stale
	$(BIN)/python -m app.server

dev: install
	$(FLASK) translate compile
	$(FLASK) db upgrade
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

browser-deps:
	tests/browser/install-deps.sh

services:
	tests/services/start.sh

test: install browser-deps services
	$(FLASK) translate compile
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/mypy
	$(FLASK) content check
	$(BIN)/bandit -q -r app
	tests/services/audit.sh
	$(BIN)/pytest

# Everyday subset: nothing outside this process (no browser, PostgreSQL, Redis or wrk) and
# no test that takes a second or more on its own, on every core (pytest-xdist).
test-fast: install
	$(FLASK) translate compile
	$(BIN)/pytest -m "not external and not slow" -q -n auto

lint: install
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/mypy
