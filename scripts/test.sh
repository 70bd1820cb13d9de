#!/usr/bin/env bash
# Install, then run every check CI runs: ruff, mypy, import-linter, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff";           ruff check . && ruff format --check .
echo "== mypy";           mypy
echo "== import-linter";  lint-imports
echo "== pytest";         pytest "$@"
