"""The CLI's --embedder and reindex, and what its fast paths leave unimported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sarcolit.ui.cli import app
from tests.conftest import CORPUS, ROOT

runner = CliRunner()
HEAVY = (
    "torch",
    "sentence_transformers",
    "transformers",
    "chromadb",
    "gradio",
    "langchain_core",
    "matplotlib",
)
TRIALS = CORPUS / "trials"


def _imported_by(args: list[str], cwd: Path) -> list[str]:
    """Run the CLI in a new interpreter; return the heavy modules it imported."""
    code = (
        "import atexit, json, sys\n"
        f"heavy = {HEAVY!r} + ('langsmith', 'langchain_core.language_models.base')\n"
        "atexit.register(lambda: print('IMPORTED', json.dumps(sorted(m for m in heavy"
        " if m in sys.modules))))\n"
        "from sarcolit.ui.cli import app\n"
        f"sys.argv = ['sarcolit', *{args!r}]\n"
        "app()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("IMPORTED"))
    found: list[str] = json.loads(line.removeprefix("IMPORTED "))
    return found


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli-embedder") / "data"
    result = runner.invoke(
        app, ["ingest", str(TRIALS), "--embedder", "onnx:", "--data-dir", str(data)]
    )
    assert result.exit_code == 0, result.output
    return data


def test_help_imports_no_heavy_package(tmp_path: Path) -> None:
    assert _imported_by(["--help"], tmp_path) == []


def test_ask_on_onnx_imports_neither_torch_nor_the_llm_stack(
    store: Path, tmp_path: Path
) -> None:
    imported = _imported_by(
        ["ask", "What was the ORR in SARC028?", "--data-dir", str(store)], tmp_path
    )
    assert "chromadb" in imported  # the store is really opened
    assert not {"torch", "sentence_transformers", "transformers"} & set(imported)
    # The chat-model stack (tracers, langsmith) loads only when a model answers.
    assert not {"langsmith", "langchain_core.language_models.base"} & set(imported)


def test_reindex_moves_the_store_and_the_old_embedder_is_refused(
    tmp_path: Path, store: Path
) -> None:
    data = tmp_path / "copy"
    runner.invoke(
        app, ["ingest", str(TRIALS), "--data-dir", str(data), "--embedder", "onnx:"]
    )
    search = ["search", "lete-cel", "--json", "--data-dir", str(data)]

    refused = runner.invoke(app, [*search, "--embedder", "onnx-int8:"])
    moved = runner.invoke(
        app, ["reindex", "--embedder", "onnx-int8:", "--data-dir", str(data)]
    )
    found = runner.invoke(app, search)
    old = runner.invoke(app, [*search, "--embedder", "st:"])

    assert refused.exit_code == 1
    assert refused.output.count("\n") == 1
    assert "sarcolit reindex --embedder onnx-int8:" in refused.output
    assert moved.exit_code == 0, moved.output
    assert "now embedded with onnx-int8:" in moved.output
    assert found.exit_code == 0, found.output
    assert "lete-cel" in found.stdout.lower() or "letetresgene" in found.stdout.lower()
    assert old.exit_code == 1
    assert "embedded with onnx-int8:" in old.output
