# Samverka: `make run` serves the workspace, `make test` runs the whole suite.
# Without DATABASE_URL / REDIS_URL: SQLite, in-memory channel layer, eager Celery, and the server
# runs the periodic jobs itself (workspace/periodic.py); with REDIS_URL run `make worker` and
# `make beat` as well.

# Python 3.11, 3.12 or 3.13: the first of python3.11, python3.12, python3.13 that runs (on PATH or
# installed by pyenv), unless PYTHON is given (`make run PYTHON=python3.13`).
runs = $(shell "$(1)" -c "" >/dev/null 2>&1 && echo "$(1)")
first_python = $(firstword $(foreach p,$(1),$(call runs,$(p))))
pyenv_python = python$(1) $(wildcard $(HOME)/.pyenv/versions/$(1).*/bin/python$(1))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(call first_python,$(foreach v,3.11 3.12 3.13,$(call pyenv_python,$(v))))
endif
# The SQLite suite on Python 3.13 as well (`make test313`), in its own venv.
PYTHON313 ?= $(call first_python,$(call pyenv_python,3.13))
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test313 venv lock migrate demo lint typecheck format messages worker beat bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Samverka needs Python 3.11, 3.12 or 3.13: none of python3.11, python3.12, python3.13 was found (or give one: make PYTHON=/path/to/python3.x)."; exit 1; }
	@"$(PYTHON)" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null || { echo "Samverka needs Python 3.11, 3.12 or 3.13; $(PYTHON) is not one of them (or does not run)."; exit 1; }
	"$(PYTHON)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The exact versions (and hashes) of requirements.lock, then the project itself, built with the
# locked setuptools and nothing resolved or fetched for it.
$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

venv: $(VENV)/.installed

# Regenerate requirements.lock from pyproject.toml (with the dev extra) after changing a
# dependency: newest versions allowed by pyproject and this machine's indexes, with hashes.
lock: venv
	$(BIN)/pip-compile --quiet --extra dev --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

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
	$(BIN)/python -m pytest $(COV_ARGS) $(PYTEST_ARGS)

# CI=true (set by .ci/run) or COVERAGE=1: `make test` also reports coverage and fails under
# fail_under in pyproject.toml ([tool.coverage.report]).
COVERAGE ?= $(filter true 1,$(CI))
COV_ARGS = $(if $(COVERAGE),--cov --cov-report=term)

# The SQLite suite on Python 3.13 in .venv313, without the services (DATABASE_URL, REDIS_URL
# unset; the tests marked postgres or redis left out, and the browser tests, which the main run
# already drives in Chromium: this leg checks the Python version, and keeps CI under 30 minutes).
test313:
	@test -n "$(PYTHON313)" || { echo "make test313 needs Python 3.13 (python3.13 or pyenv's 3.13.x); none was found."; exit 1; }
	@$(MAKE) --no-print-directory venv VENV=.venv313 PYTHON="$(PYTHON313)"
	env -u DATABASE_URL -u REDIS_URL .venv313/bin/python -m pytest \
	  -m "not postgres and not redis and not browser" $(PYTEST_ARGS)

# The same checks run in CI (.ci/run) and before each commit (.pre-commit-config.yaml).
lint: venv typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python tools/layer_strings.py

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

# Every benchmark (benchmarks/run_all.py), one line per target: `name: figure … target … pass`
# or FAIL, each figure next to its baseline measured in the same run; exit status 1 on a FAIL.
# Needs DATABASE_URL (PostgreSQL; the benchmarks add and remove their own rows) and REDIS_URL.
# BENCH_ARGS="--only diff,notifications" runs some of them.
# The round page is served as in production (DEBUG off): the static files are collected first.
bench: venv
	DEBUG=false SECRET_KEY=collectstatic-only $(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python -m benchmarks.run_all $(BENCH_ARGS)

worker: venv
	$(BIN)/celery -A workspace worker --loglevel=info

beat: venv
	$(BIN)/celery -A workspace beat --loglevel=info

clean:
	rm -rf $(VENV) .venv313 node_modules db.sqlite3 staticfiles
