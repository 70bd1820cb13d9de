"""The Evals tab's handler: a small gold file in, metrics, plots and files out."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from sarcolit.evals import EXTRACTION_GOLD, QA_GOLD
from sarcolit.ui.app_evals import EXTRACTION, QA, run_eval
from tests.ui.conftest import LiveServer

pytestmark = pytest.mark.slow


def gold_subset(source: Path, ids: set[str], target: Path) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.strip() and json.loads(line)["id"] in ids]
    assert len(kept) == len(ids)
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target


def test_qa_eval_on_an_uploaded_gold_file(
    live_server: LiveServer, tmp_path: Path
) -> None:
    gold = gold_subset(QA_GOLD, {"r001", "u003"}, tmp_path / "qa.jsonl")
    status, metrics, items, plots, files = run_eval(
        live_server.state, QA, str(gold), "evals-test"
    )
    assert "2 items scored" in status
    names = {row[0] for row in metrics}
    assert {"answer_correctness", "refusal_accuracy"} <= names
    assert [row[0] for row in items] == ["r001", "u003"]
    assert plots
    assert all(Path(p).suffix == ".png" and Path(p).exists() for p in plots)
    assert [Path(f).name for f in files] == ["results.json", "items.jsonl", "report.md"]
    assert len(Path(files[1]).read_text(encoding="utf-8").splitlines()) == 2


def test_extraction_eval_scores_the_review(
    live_server: LiveServer, tmp_path: Path
) -> None:
    gold = gold_subset(EXTRACTION_GOLD, {"xr001"}, tmp_path / "ex.jsonl")
    status, metrics, items, _, _ = run_eval(
        live_server.state, EXTRACTION, str(gold), "evals-test"
    )
    assert "1 items scored" in status
    assert dict((row[0], float(row[1])) for row in metrics)["record_match_rate"] == 1
    assert items[0][0] == "xr001"


def test_bad_gold_file_is_reported_not_raised(
    live_server: LiveServer, tmp_path: Path
) -> None:
    gold = tmp_path / "bad.jsonl"
    gold.write_text('{"id": "x"}\n', encoding="utf-8")
    status, metrics, _, _, _ = run_eval(live_server.state, QA, str(gold), "evals-test")
    assert "could not run" in status
    assert "bad.jsonl:1: field 'question'" in html.unescape(status)
    assert metrics == []
