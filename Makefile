# Samverka: `make run` serves the workspace, `make test` runs the whole suite.
# Without DATABASE_URL / REDIS_URL: SQLite, in-memory channel layer, eager Celery, and the server
# runs the periodic jobs itself (workspace/periodic.py); with REDIS_URL run `make worker` and
# `make beat` as well.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv migrate demo lint typecheck format messages worker beat bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Samverka needs Python 3.11 ($(PYTHON) was not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

migrate: venv
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo

run: demo
	@echo ""
	@echo "Samverka is at http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	DEBUG=$${DEBUG:-true} $(BIN)/uvicorn workspace.asgi:application --host $(HOST) --port $(PORT) --no-access-log

# Browser tests need node_modules/axe-core; it is installed here when npm is available.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; else echo "npm not found: browser tests will be skipped"; fi

test: venv
	@$(MAKE) --no-print-directory node_modules/.package-lock.json || true
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with django-stubs on the services, selectors and policies (`[tool.mypy]` in pyproject.toml).
# DEBUG=true only lets the settings load without a SECRET_KEY; nothing is served.
typecheck: venv
	DEBUG=$${DEBUG:-true} $(BIN)/mypy

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Translations: `make messages` after changing strings (needs GNU gettext), then fill in locale/sv.
messages: venv
	DEBUG=true $(BIN)/python manage.py update_translations

# The diff benchmark of issue 3: 60 sections, ~25,000 words, a typical and a heavy revision.
bench: venv
	$(BIN)/python -m benchmarks.diff_benchmark

worker: venv
	$(BIN)/celery -A workspace worker --loglevel=info

beat: venv
	$(BIN)/celery -A workspace beat --loglevel=info

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
