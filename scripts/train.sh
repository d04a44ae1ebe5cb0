#!/usr/bin/env bash
# Train the Rasa model, only when config.yml or bot/ (domain, data) changed since the last training.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
MODEL=bot/models/plainrecord.tar.gz
HASH=$(cat config.yml bot/domain.yml $(find bot/data -type f -name '*.yml' | LC_ALL=C sort) | sha256sum | cut -c1-64)
if [ -f "$MODEL" ] && [ "$(cat bot/models/.inputs-hash 2>/dev/null)" = "$HASH" ] && [ "${1:-}" != "--force" ]; then
  echo "==> Rasa model is up to date"
  exit 0
fi
echo "==> training the Rasa model"
"$RASA" train --config config.yml --domain bot/domain.yml --data bot/data \
  --out bot/models --fixed-model-name plainrecord --quiet
echo "$HASH" > bot/models/.inputs-hash
