"""The command line given hostile names, links, markup and bad settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sarcolit.ui.cli import app
from tests.conftest import REVIEW

runner = CliRunner()
MARKUP = """Rendering :x: and [bold]markup[/bold] note

The note names pembrolizumab :thumbs_up: and [red]UPS[/red] to test the output.
"""


def test_a_malformed_store_url_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["search", "x", "--store-url", "http://[::1", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: store URL 'http://[::1' is not")
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_a_negative_size_setting_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SARCOLIT_INGEST__MAX_BYTES", "-1")
    result = runner.invoke(app, ["ingest", str(REVIEW), "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith("error: bad setting (ingest.max_bytes: ")
    assert result.output.count("\n") == 1


def test_a_link_out_of_the_folder_is_refused_unless_allowed(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("A private note about pembrolizumab in UPS.\n")
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "notes.txt").symlink_to(secret)
    (folder / "inside.txt").symlink_to(REVIEW)  # also outside: refused too
    data = ["--data-dir", str(tmp_path / "d")]
    refused = runner.invoke(app, ["ingest", str(folder), *data])
    assert refused.exit_code == 1
    assert f"failed: {folder / 'notes.txt'}: a link to {secret}, outside" in (
        refused.output
    )
    assert "2 files: 0 added" in refused.output
    search = runner.invoke(app, ["search", "private note", "--json", *data])
    assert "private note" not in search.output
    allowed = runner.invoke(app, ["ingest", str(folder), "--follow-links", *data])
    assert allowed.exit_code == 0, allowed.output
    assert "2 added" in allowed.output


def test_search_prints_document_text_verbatim(tmp_path: Path) -> None:
    note = tmp_path / "markup-note.txt"
    note.write_text(MARKUP, encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "d")]
    assert runner.invoke(app, ["ingest", str(note), *data]).exit_code == 0
    result = runner.invoke(app, ["search", "pembrolizumab note output", *data])
    assert result.exit_code == 0, result.output
    assert "Rendering :x: and [bold]markup[/bold] note" in result.output
    assert ":thumbs_up: and [red]UPS[/red]" in result.output
    assert "\u274c" not in result.output
    assert "\U0001f44d" not in result.output


def test_a_newline_in_a_file_name_forges_no_line(tmp_path: Path) -> None:
    evil = tmp_path / "a\nerror: forged.txt"
    evil.write_text("")
    result = runner.invoke(app, ["ingest", str(evil), "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "a\\nerror: forged.txt" in result.output
    assert not any(
        line.startswith("error: forged") for line in result.output.split("\n")
    )


def test_extract_failure_names_the_file_once(tmp_path: Path) -> None:
    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"nul\x00byte")
    result = runner.invoke(
        app, ["extract", str(bad), "--out", str(tmp_path / "records.jsonl")]
    )
    assert result.exit_code == 1
    (line,) = [row for row in result.output.split("\n") if row.startswith("failed:")]
    assert line.count(str(bad)) == 1
    assert line == f"failed: {bad}: binary content (NUL byte at offset 3) in a " + (
        "text file; if it is UTF-16 text, re-save it as UTF-8"
    )


def test_text_over_the_character_limit_is_refused_with_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SARCOLIT_INGEST__MAX_CHARS", "5000")
    result = runner.invoke(app, ["ingest", str(REVIEW), "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "-character limit" in result.output
    assert "SARCOLIT_INGEST__MAX_CHARS" in result.output


def test_a_pdf_with_a_page_tree_cycle_fails_alone(tmp_path: Path) -> None:
    from tests.conftest import CORPUS
    from tests.ingest.test_fuzz import _pdf_with_cycle

    cyclic = tmp_path / "cycle.pdf"
    _pdf_with_cycle(next(CORPUS.rglob("*.pdf")), cyclic)
    good = tmp_path / "good.txt"
    good.write_text("Pembrolizumab gave an ORR of 18% in SARC028.\n")
    ingest = runner.invoke(
        app, ["ingest", str(cyclic), str(good), "--data-dir", str(tmp_path / "d")]
    )
    assert ingest.exit_code == 1
    assert f"failed: {cyclic}: cannot read the PDF's text" in ingest.output
    assert "2 files: 1 added" in ingest.output
    extract = runner.invoke(
        app, ["extract", str(cyclic), str(good), "--out", str(tmp_path / "r.jsonl")]
    )
    assert extract.exit_code == 1
    assert "1 extracted, 0 already done, 1 failed" in extract.output
