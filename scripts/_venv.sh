# Shared by run.sh and test.sh: make .venv with Python 3.11+ and install the project.
# Usage: source scripts/_venv.sh EXTRAS   (EXTRAS: "" or "test")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  for candidate in "${PYTHON:-}" python3.11 python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      "$candidate" -m venv .venv
      break
    fi
  done
  [ -x .venv/bin/python ] || { echo "Python 3.11 or newer is needed" >&2; exit 1; }
fi
spec="."
[ -n "${1:-}" ] && spec=".[$1]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec" 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" || true
