from __future__ import annotations

import csv as csv_module
import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sarcolit.ui.cli import app
from tests.conftest import REVIEW

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli-data")
    result = runner.invoke(app, ["ingest", str(REVIEW), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return data


def test_ingest_reports_failures_and_exits_non_zero(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    good = tmp_path / "good.md"
    good.write_text("# Trial\n\nPembrolizumab gave an ORR of 18% in SARC028.\n")

    result = runner.invoke(
        app, ["ingest", str(empty), str(good), "--data-dir", str(tmp_path / "d")]
    )

    assert result.exit_code == 1
    assert f"failed: {empty}: " in result.output
    assert "2 files: 1 added, 0 replaced, 0 unchanged, 1 failed" in result.output


def test_search_json_has_ranked_chunks_with_spans(data_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "search",
            "SARC028 pembrolizumab",
            "-k",
            "3",
            "--json",
            "--data-dir",
            str(data_dir),
        ],
    )

    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    assert {"chunk", "title", "score"} <= set(hits[0])
    assert hits[0]["chunk"]["end"] > hits[0]["chunk"]["start"]


def test_search_subtype_filter(data_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "search",
            "response",
            "--subtype",
            "ASPS",
            "--json",
            "--data-dir",
            str(data_dir),
        ],
    )

    hits = json.loads(result.stdout)
    assert hits
    assert all("ASPS" in h["chunk"]["tags"]["subtypes"] for h in hits)


def test_ask_json_and_text(data_dir: Path) -> None:
    question = "What was the objective response rate in SARC028?"
    as_json = runner.invoke(
        app, ["ask", question, "--json", "--data-dir", str(data_dir)]
    )
    as_text = runner.invoke(app, ["ask", question, "--data-dir", str(data_dir)])

    answer = json.loads(as_json.stdout)
    assert answer["refused"] is False
    assert "18%" in answer["citations"][0]["quote"]
    assert "[1]" in as_text.stdout
    assert "18%" in as_text.stdout


def test_ask_batch_reads_lines_and_jsonl(data_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "What was the objective response rate in SARC028?"}\n'
        "\n"
        "How much does a course of nivolumab cost in Norway?\n"
    )

    result = runner.invoke(
        app,
        ["ask", "--questions", str(questions), "--json", "--data-dir", str(data_dir)],
    )

    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["refused"] for a in answers] == [False, True]


def test_bad_questions_file_names_the_line(data_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "ok?"}\n{"text": "no key"}\n')

    result = runner.invoke(
        app, ["ask", "--questions", str(questions), "--data-dir", str(data_dir)]
    )

    assert result.exit_code == 1
    assert f"{questions}:2:" in result.output


def test_unreachable_store_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    result = runner.invoke(
        app,
        [
            "search",
            "x",
            "--store-url",
            f"http://127.0.0.1:{port}",
            "--data-dir",
            str(tmp_path),
        ],
    )

    assert result.exit_code == 1
    assert "no Chroma server answers at" in result.output
    assert "Traceback" not in result.output


def test_extract_from_index_writes_grounded_records(
    data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "records.jsonl"
    csv = tmp_path / "records.csv"

    result = runner.invoke(
        app,
        [
            "extract",
            "--from-index",
            "--data-dir",
            str(data_dir),
            "--out",
            str(out),
            "--csv",
            str(csv),
        ],
    )

    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    sarc028 = [r for r in records if "SARC028" in json.dumps(r)]
    assert sarc028
    rows = csv.read_text().splitlines()
    assert rows[0].startswith("trial_key,nct_ids,names,interventions,phase,level")
    assert any(",ORR,18," in row for row in rows)


def test_k_sets_the_passages_an_answer_reads(data_dir: Path) -> None:
    question = "How much does a course of nivolumab cost in Norway?"
    narrow = runner.invoke(
        app, ["ask", question, "-k", "1", "--json", "--data-dir", str(data_dir)]
    )
    wide = runner.invoke(app, ["ask", question, "--json", "--data-dir", str(data_dir)])

    assert len(json.loads(narrow.stdout)["related"]) == 1
    assert len(json.loads(wide.stdout)["related"]) == 3


def test_extract_format_wide_writes_the_evidence_table(
    data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "records.jsonl"

    result = runner.invoke(
        app,
        ["extract", "--from-index", "--data-dir", str(data_dir), "--out", str(out),
         "--format", "wide"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    with out.with_suffix(".csv").open(encoding="utf-8") as handle:
        rows = list(csv_module.DictReader(handle))
    sarc028 = [r for r in rows if r["trial"] == "SARC028" and r["level"] == "trial"]
    assert [r["orr"] for r in sarc028] == ["18%"]
    cohorts = {r["group"]: r["orr"] for r in rows if r["trial_key"] == "SARC028"}
    assert cohorts["undifferentiated pleomorphic sarcoma"] == "40%"
