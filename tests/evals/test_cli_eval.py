import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ui.cli_eval import eval_app

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
runner = CliRunner()


def test_llm_answerer_is_refused_with_one_line() -> None:
    result = runner.invoke(eval_app, ["qa", "--answerer", "llm"])
    assert result.exit_code == 1
    assert "not available yet" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_gold_file_names_line_and_field(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    row = {
        "id": "x",
        "doc": "trials/sarc028-pembrolizumab.md",
        "keys": {"name": "SARC028"},
    }
    gold.write_text(json.dumps({**row, "fields": {}}) + "\n" + json.dumps(row) + "\n")
    result = runner.invoke(
        eval_app, ["extraction", "--gold", str(gold), "--corpus", str(CORPUS)]
    )
    assert result.exit_code == 1
    assert f"{gold}:2: " in result.stderr
    assert "field 'fields': Field required" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_extraction_run_compare_and_gates(tmp_path: Path) -> None:
    base = ["extraction", "--corpus", str(CORPUS)]
    first = runner.invoke(
        eval_app,
        [*base, "--out", str(tmp_path / "a"), "--min", "record_match_rate=0.5"],
    )
    assert first.exit_code == 0, first.output
    assert "record_match_rate" in first.stdout
    assert (tmp_path / "a" / "fields.png").is_file()
    second = runner.invoke(
        eval_app,
        [
            *base,
            "--out",
            str(tmp_path / "b"),
            "--compare",
            str(tmp_path / "a"),
            "--min",
            "field_f1=1.01",
        ],
    )
    assert second.exit_code == 1
    assert "0 items better, 0 worse" in second.stdout
    assert "gate failed: field_f1" in second.stderr
    assert (tmp_path / "b" / "compare.md").is_file()
