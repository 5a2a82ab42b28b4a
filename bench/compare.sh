#!/usr/bin/env bash
# Both benchmarks side by side: the vectorised engine with every term on (project venv),
# then fmpy against our engine on the shared subset of terms (Oasis venv, which calls
# the project venv for our side). Extra arguments go to bench/oasis_bench.py.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[[ -x bench/.venv-oasis/bin/fmpy ]] || bench/setup_oasis_venv.sh
.venv/bin/python bench/terms_bench.py
echo
bench/.venv-oasis/bin/python bench/oasis_bench.py "$@"
