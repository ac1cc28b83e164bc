# Spejl — two commands: `make run` (demo on SQLite) and `make test` (the whole suite).
# Works on a fresh machine of this project's kind: pyenv's Python 3.12, no uv installed yet.

SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
UV_VERSION := 0.13.9

# The interpreter: pyenv's 3.12 (pinned in .python-version), else any python3.12 on PATH.
PYTHON := $(shell pyenv which python3.12 2>/dev/null || command -v python3.12 || echo python3)
UV := .bootstrap/bin/uv
PY := .venv/bin/python
MANAGE := $(PY) manage.py

.PHONY: run test setup translations check-translations lint typecheck security migrations-check ci-checks db clean

run: setup translations db
	$(MANAGE) seed_demo
	@echo
	@echo "Spejl is starting on http://127.0.0.1:8000  (stop with Ctrl+C)"
	$(MANAGE) runserver 127.0.0.1:8000

test: setup translations
	$(PY) -m pytest $(PYTEST_ARGS)

setup: .venv/.synced

.bootstrap/bin/uv:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "Spejl needs Python 3.12+"'
	$(PYTHON) -m venv .bootstrap
	.bootstrap/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

translations: setup
	$(MANAGE) compile_translations

db: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) createcachetable

check-translations: setup
	$(MANAGE) check_translations

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: setup
	.venv/bin/mypy spejl

# Bandit settings (exclusions, skipped checks and why) are in pyproject.toml [tool.bandit].
security: setup
	.venv/bin/bandit -c pyproject.toml -r spejl -q

migrations-check: setup
	$(MANAGE) makemigrations --check --dry-run

ci-checks: lint typecheck security migrations-check check-translations

clean:
	rm -rf .venv .bootstrap var staticfiles
