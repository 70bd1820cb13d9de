#!/usr/bin/env bash
# Create .venv and install sarcolit with everything the tests need.
# torch==2.13.0 goes first: it is a CPU wheel on this machine's disk, and letting
# pip resolve torch through sentence-transformers would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
venv=.venv
stamp="$venv/.installed"
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)

if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv with $($python --version)"
  "$python" -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing torch 2.13.0 (CPU) and sarcolit; the first run takes a few minutes"
  "$venv/bin/pip" install --quiet torch==2.13.0
  "$venv/bin/pip" install --quiet -e '.[dev]'
  echo "$want" > "$stamp"
fi
