#!/usr/bin/env bash
# Install both environments from their lock files. Re-running is cheap: a lock that has not
# changed since the last install is skipped.  Usage: scripts/setup.sh [--test]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

stamp_ok() { [ -f "$1/.plainrecord-lock" ] && [ "$(cat "$1/.plainrecord-lock")" = "$(sha256sum "$2" | cut -c1-64)" ]; }
stamp() { sha256sum "$2" | cut -c1-64 > "$1/.plainrecord-lock"; }

if [ ! -x "$UV" ]; then
  echo "==> bootstrapping uv"
  python3 -m venv "$ROOT/.tools/venv"
  "$ROOT/.tools/venv/bin/pip" install -q --disable-pip-version-check uv==0.13.9
fi
PY310="$(find_python310)"

if ! stamp_ok .venv requirements/app.lock.txt; then
  echo "==> application environment (.venv)"
  [ -x .venv/bin/python ] || "$UV" venv -q --python "$PY310" .venv
  "$UV" pip sync -q --python .venv/bin/python requirements/app.lock.txt
  stamp .venv requirements/app.lock.txt
fi
"$UV" pip install -q --python .venv/bin/python --no-deps -e .

if ! stamp_ok .venv-rasa requirements/rasa.lock.txt; then
  echo "==> Rasa environment (.venv-rasa)"
  [ -x .venv-rasa/bin/python ] || "$UV" venv -q --python "$PY310" .venv-rasa
  "$UV" pip sync -q --python .venv-rasa/bin/python requirements/rasa.lock.txt
  stamp .venv-rasa requirements/rasa.lock.txt
fi

if [ "${1:-}" = "--test" ]; then
  if [ -f package-lock.json ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; }; then
    echo "==> npm packages for the browser tests"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    echo "==> Debian's chromium for the browser tests"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      echo "chromium is missing: run 'sudo apt-get install chromium'" >&2; exit 1
    fi
  fi
fi
