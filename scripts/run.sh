#!/usr/bin/env bash
# Install, ingest corpus/ into the embedded store (.sarcolit/), then serve the web
# app and HTTP API on http://127.0.0.1:7860 (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
sarcolit=.venv/bin/sarcolit

"$sarcolit" ingest corpus/
"$sarcolit" ask "What was the objective response rate in SARC028?"
exec "$sarcolit" serve "$@"
