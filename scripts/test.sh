#!/usr/bin/env bash
# Quick start, command 2: install the test needs and run every check and every suite.
source "$(dirname "$0")/_venv.sh" test
echo "== ruff check";        .venv/bin/ruff check .
echo "== ruff format";       .venv/bin/ruff format --check .
echo "== mypy";              .venv/bin/mypy
echo "== pytest";            .venv/bin/python -m pytest "$@"
