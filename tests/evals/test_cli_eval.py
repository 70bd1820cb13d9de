import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sarcolit.ui.cli_eval import eval_app

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
runner = CliRunner()


def test_unreachable_llm_backend_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = runner.invoke(
        eval_app,
        [
            "qa",
            "--answerer",
            "llm",
            "--llm",
            "ollama:llama3",
            "--data-dir",
            str(tmp_path),
        ],
        env={"SARCOLIT_LLM__BASE_URL": url},
    )
    assert result.exit_code == 1
    assert url in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_answerer_is_refused() -> None:
    result = runner.invoke(eval_app, ["qa", "--answerer", "oracle"])
    assert result.exit_code == 1
    assert "--answerer must be auto, extractive or llm" in result.stderr


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
