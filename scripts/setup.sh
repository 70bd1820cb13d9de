#!/usr/bin/env bash
# Create .venv and install sarcolit with its LLM backends and test tools.
#
# torch==2.13.0 goes first: it is a CPU wheel on this machine's disk, and letting
# pip resolve torch through sentence-transformers would pull a multi-GB CUDA build.
# The `llm` extra builds llama-cpp-python from source: about 10 minutes on 2 cores
# the first time (pip caches the wheel afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
venv=.venv
stamp="$venv/.installed"
want=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)

# This machine's pip configuration names local indexes that may be absent; pip
# warns once per package about them, which buries real errors.
pip_install() {
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" 2>&1 \
    | { grep -v "^WARNING: Location 'file:" || true; }
}

if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv with $($python --version)"
  "$python" -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing torch 2.13.0 (CPU), then sarcolit with the llm and dev extras"
  echo "setup: the first run compiles llama-cpp-python (about 10 minutes on 2 cores)"
  pip_install torch==2.13.0
  CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) pip_install -e '.[llm,dev]'
  echo "$want" > "$stamp"
fi
