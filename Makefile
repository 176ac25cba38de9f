# Relay CRM. `make help` lists the targets; the README explains them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 100000
TEMPLATE_DIRS := templates $(wildcard */templates)

.DEFAULT_GOAL := help
.PHONY: help run test lint format worker bench migrate seed clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

.env:
	cp .env.example .env

run: $(VENV)/.installed .env ## Set up (virtualenv, packages, migrations, demo data) and serve on http://127.0.0.1:8000
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT) with a Celery worker and beat (Procfile.dev); Ctrl-C stops all three."
	HOST=$(HOST) $(VENV)/bin/honcho start --procfile Procfile.dev --port $(PORT)

test: $(VENV)/.installed-dev .env ## Lint (code and templates), check migrations and run the whole test suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint $(TEMPLATE_DIRS) --lint
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## Fix what ruff can fix and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(VENV)/.installed .env ## Run a Celery worker with beat alone (`make run` starts one too)
	$(VENV)/bin/celery -A crm worker -B --loglevel=INFO

bench: $(VENV)/.installed-dev .env ## Measure page and job speed (SCALE=100000 leads by default)
	$(PY) manage.py bench --scale $(SCALE)

migrate: $(VENV)/.installed .env ## Apply database migrations
	$(PY) manage.py migrate --no-input

seed: $(VENV)/.installed .env ## Add the demo data (idempotent)
	$(PY) manage.py seed_demo

clean: ## Remove the virtualenv, the SQLite database and var/ (messages, cache)
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles var
