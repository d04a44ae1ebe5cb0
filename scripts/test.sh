#!/usr/bin/env bash
# Every check, in order of speed: lint, types, import contracts, Rasa data, training, Rasa's test
# stories, then pytest (unit, API, actions, PostgreSQL/Redis integration, end to end, browser).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
start=$(date +%s)
step() { echo; echo "==> $* ($(( $(date +%s) - start )) s)"; }

step "setup"; scripts/setup.sh --test
step "ruff";  .venv/bin/ruff check .
step "mypy";  .venv/bin/mypy
step "import contracts"; .venv/bin/lint-imports --no-cache
step "rasa data validate"
"$RASA" data validate --config config.yml --domain bot/domain.yml --data bot/data --fail-on-warnings
step "rasa train"; scripts/train.sh
step "rasa test (stories; any failed story fails the run)"
rm -rf var/rasa-results
"$RASA" test core --model bot/models/plainrecord.tar.gz --stories bot/tests/stories \
  --fail-on-prediction-errors --out var/rasa-results/core --no-plot
step "rasa test nlu (held-out set, report only)"
"$RASA" test nlu --model bot/models/plainrecord.tar.gz --nlu bot/tests/nlu_test.yml --domain bot/domain.yml \
  --config config.yml --out var/rasa-results/nlu --no-plot >/dev/null
.venv/bin/python scripts/nlu_report.py var/rasa-results/nlu
step "pytest"
.venv/bin/python -m pytest -p no:cacheprovider --cov=api --cov=glossary --cov=bot.actions \
  --cov-report=term:skip-covered tests
echo "all checks passed in $(( $(date +%s) - start )) s"
