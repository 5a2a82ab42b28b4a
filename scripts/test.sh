#!/usr/bin/env bash
# Quick start, command 2: install the test needs and run every check and every suite
# (unit and integration; the integration suite on SQLite and on a local PostgreSQL).
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/_venv.sh" test
echo "== ruff check";   .venv/bin/ruff check .
echo "== ruff format";  .venv/bin/ruff format --check .
echo "== mypy";         .venv/bin/mypy
source "$here/_postgres.sh"
echo "== pytest (SQLite and PostgreSQL)"
.venv/bin/python -m pytest "$@"
