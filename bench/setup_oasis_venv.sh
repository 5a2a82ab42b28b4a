#!/usr/bin/env bash
# Create bench/.venv-oasis: a separate virtual environment holding oasislmf (for
# bench/oasis_bench.py). oasislmf is never a dependency of cybercover; pandas is pinned
# below 3 because oasislmf 2.5.x misbehaves with pandas 3 (shared/notes/oasis-lmf.md §6).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv-oasis"
python="${PYTHON:-python3}"
if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet oasislmf "pandas<3"
"$venv/bin/python" -c "import oasislmf, pandas, numba; print('oasislmf', oasislmf.__version__, '| pandas', pandas.__version__, '| numba', numba.__version__)"
