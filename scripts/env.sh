# Sourced by the scripts: where tools, caches and environments live (all inside the project).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export UV_CACHE_DIR="$ROOT/.cache/uv" PIP_CACHE_DIR="$ROOT/.cache/pip" MPLCONFIGDIR="$ROOT/.cache/mpl"
export UV_PYTHON_DOWNLOADS=never RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
export npm_config_cache="$ROOT/.cache/npm" XDG_CACHE_HOME="$ROOT/.cache"
export PYTHONDONTWRITEBYTECODE=1
# bot/endpoints*.yml read the action server's URL from here (api/stack.py sets its own).
export PLAINRECORD_ACTION_URL="${PLAINRECORD_ACTION_URL:-http://127.0.0.1:5055/webhook}"
UV="$ROOT/.tools/venv/bin/uv"
APP_PY="$ROOT/.venv/bin/python"
RASA="$ROOT/.venv-rasa/bin/rasa"

find_python310() {
  if [ -n "${PYTHON310:-}" ]; then echo "$PYTHON310"; return; fi
  if command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.10 >/dev/null 2>&1; then
    echo "$(pyenv prefix 3.10 | head -n1)/bin/python3.10"; return
  fi
  for c in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if "$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      command -v "$c"; return
    fi
  done
  echo "plainrecord needs Python 3.10 (Rasa 3.6 does not run on newer). Set PYTHON310=/path/to/python3.10" >&2
  return 1
}
