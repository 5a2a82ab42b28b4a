#!/usr/bin/env bash
# Quick start, command 1: install and run the main job.
# With no arguments: `cybercover serve --demo` on SQLite (cybercover.db): the web service
# with the demo data set, every demo login printed at start; API docs at /docs.
# With arguments: run `cybercover ARGS…` (e.g. `scripts/run.sh adjudicate examples/page-server-down.json`).
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/_venv.sh" ""
if [ "$#" -eq 0 ]; then
  set -- serve --demo
fi
exec .venv/bin/cybercover "$@"
