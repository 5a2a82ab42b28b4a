#!/usr/bin/env bash
# Quick start, command 1: install and run the main job.
# With no arguments: adjudicate the bundled example scenario and print the result as JSON.
# With arguments: run `cybercover ARGS…` (e.g. `scripts/run.sh adjudicate examples/page-server-down.json`).
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/_venv.sh" ""
if [ "$#" -eq 0 ]; then
  set -- adjudicate examples/page-leak-gifts-lawsuit.json
fi
exec .venv/bin/cybercover "$@"
