"""The built wheel installs one top-level package, sarcolit, and it imports alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

PIP = (sys.executable, "-m", "pip")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            *PIP,
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            ROOT,
        ],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    (built,) = out.glob("sarcolit-*.whl")
    return built


def test_wheel_holds_only_the_sarcolit_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"sarcolit", wheel.name.split("-py3")[0] + ".dist-info"}
    for stage in ("core", "ingest", "extraction", "retrieval", "evals", "ui"):
        assert f"sarcolit/{stage}/__init__.py" in names
    assert "sarcolit/evals/gold/qa.jsonl" in names
    assert "sarcolit/core/vocabulary.toml" in names


@pytest.mark.slow
def test_installed_wheel_imports_from_its_own_folder(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [*PIP, "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    assert sorted(p.name for p in site.iterdir() if not p.name.endswith("-info")) == [
        "bin",
        "sarcolit",
    ]
    probe = (
        "import sarcolit, sarcolit.core.models, sarcolit.ui.cli;"
        "print(sarcolit.__file__); print(sarcolit.Library.__name__)"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    where, name = done.stdout.split()
    assert where.startswith(str(site))
    assert name == "Library"
