"""The import contracts hold, and would catch an import through a stage's back door.

``lint-imports`` runs on the real tree in CI; here it also runs on a small copy
of the layout with one import that bypasses a stage's ``__init__``, which must
break the contract.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

STAGES = ("ingest", "extraction", "retrieval", "evals", "ui")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contracts() -> list[dict[str, object]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: list[dict[str, object]] = data["tool"]["importlinter"]["contracts"]
    return found


def test_every_stage_is_protected() -> None:
    protected: dict[str, object] = {
        str(c["protected_modules"]): c["allowed_importers"]
        for c in contracts()
        if c["type"] == "protected"
    }
    for stage in STAGES:
        assert protected[str([f"sarcolit.{stage}.*"])] == [f"sarcolit.{stage}"]


def _tree(root: Path, retrieval_code: str) -> None:
    modules = {
        "sarcolit/__init__.py": "",
        "sarcolit/library.py": "import sarcolit.live\n",
        "sarcolit/live.py": "import sarcolit.retrieval\n",
        "sarcolit/core/__init__.py": "",
        "sarcolit/core/text.py": "",
        "sarcolit/ingest/__init__.py": "from sarcolit.ingest.tags import tag_text\n",
        "sarcolit/ingest/tags.py": "import sarcolit.core.text\n\ndef tag_text(): ...\n",
        "sarcolit/extraction/__init__.py": "",
        "sarcolit/retrieval/__init__.py": "",
        "sarcolit/retrieval/answer.py": retrieval_code,
        "sarcolit/evals/__init__.py": "",
        "sarcolit/ui/__init__.py": "",
    }
    for name, code in modules.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")
    lines = ["[tool.importlinter]", 'root_packages = ["sarcolit"]']
    for contract in contracts():
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{key} = {json.dumps(value)}" for key, value in contract.items()]
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("code", "kept"),
    [
        ("from sarcolit.ingest import tag_text\n", True),
        ("from sarcolit.core.text import NCT\n", True),
        ("from sarcolit.ingest.tags import tag_text\n", False),
    ],
)
def test_contracts_catch_a_back_door_import(
    tmp_path: Path, code: str, kept: bool
) -> None:
    _tree(tmp_path, code)
    result = _lint(tmp_path)
    assert (result.returncode == 0) is kept, result.stdout + result.stderr
    if not kept:
        assert "ingest is used through sarcolit.ingest BROKEN" in result.stdout
        assert "sarcolit.retrieval.answer -> sarcolit.ingest.tags" in result.stdout
