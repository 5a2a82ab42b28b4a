#!/usr/bin/env bash
# Quick start, command 2: install the test needs and run every check and every suite
# (unit and integration; the integration suite on SQLite and on a local PostgreSQL).
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/_venv.sh" test
echo "== ruff check";   .venv/bin/ruff check .
echo "== ruff format";  .venv/bin/ruff format --check .
echo "== mypy";         .venv/bin/mypy
echo "== layers";       .venv/bin/lint-imports --no-cache
source "$here/_postgres.sh"
# the browser suite (tests/web) drives Debian's chromium (never `playwright install`);
# Japanese fonts so that its screenshots under test-artifacts/ are readable
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ]; then
  apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
# documents (issue #9): the PDF tests rasterise first pages with poppler's pdftoppm
if ! command -v pdftoppm >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null
fi
echo "== pytest (SQLite and PostgreSQL)"
.venv/bin/python -m pytest "$@"
