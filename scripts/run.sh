#!/usr/bin/env bash
# Install, ingest corpus/ into the embedded store (.sarcolit/), answer a sample question.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
sarcolit=.venv/bin/sarcolit

"$sarcolit" ingest corpus/
"$sarcolit" ask "What was the objective response rate in SARC028?"
