"""Batch runs: per-file errors, resume by content hash, crash safety, the long CSV."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sarcolit.core.settings import Settings
from sarcolit.extraction import run_batch
from sarcolit.extraction.batch import load_output
from sarcolit.extraction.export import COLUMNS
from tests.extraction.conftest import ROOT, TRIALS

EXPECTED_COLUMNS = [
    *("trial_key", "nct_ids", "names", "interventions", "phase", "level", "group"),
    *("endpoint", "value", "unit", "timepoint", "ci_low", "ci_high", "doc_id"),
    *("start", "end", "quote", "conflict"),
]


def write_trials(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"trial-{i:03d}.txt"
        path.write_text(
            f"Methods: The phase II TEST-{i + 1} trial gave nivolumab "
            f"to {i + 10} patients.\n\n"
            f"Results: The ORR was {i + 1}% and the median PFS was {i + 2} months.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def lines(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_failed_files_are_reported_and_the_rest_go_on(tmp_path: Path) -> None:
    good = write_trials(tmp_path / "in", 2)
    empty = tmp_path / "in" / "empty.txt"
    empty.write_text("", encoding="utf-8")
    unknown = tmp_path / "notes.docx"
    unknown.write_text("x", encoding="utf-8")
    out, table = tmp_path / "out.jsonl", tmp_path / "out.csv"
    report = run_batch(
        [tmp_path / "in", unknown], out, settings=Settings(), csv_path=table
    )
    assert report.processed == 2
    assert sorted(Path(f.source).name for f in report.failures) == [
        "empty.txt",
        "notes.docx",
    ]
    assert all(f.reason for f in report.failures)
    assert {r.key for r in report.records} == {"TEST-1", "TEST-2"}
    assert len(lines(out)) == 2
    assert {line["parts"] for line in lines(out)} == {1}
    with table.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == EXPECTED_COLUMNS == list(COLUMNS)
        rows = list(reader)
    assert len(rows) == report.csv_rows == 6
    orr = next(r for r in rows if r["trial_key"] == "TEST-2" and r["endpoint"] == "ORR")
    assert (orr["level"], orr["value"], orr["unit"], orr["interventions"]) == (
        "trial",
        "2",
        "%",
        "nivolumab",
    )
    source = next(p for p in good if "TEST-2 " in p.read_text(encoding="utf-8"))
    assert orr["quote"] in source.read_text(encoding="utf-8")


def test_rerun_skips_files_already_done(tmp_path: Path) -> None:
    paths = write_trials(tmp_path / "in", 3)
    out = tmp_path / "out.jsonl"
    first = run_batch(paths[:2], out, settings=Settings())
    second = run_batch(paths, out, settings=Settings())
    assert (first.processed, second.processed, second.skipped) == (2, 1, 2)
    hashes = [line["content_hash"] for line in lines(out)]
    assert len(hashes) == len(set(hashes)) == 3


def test_a_torn_last_line_and_an_incomplete_group_are_cut_off(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_batch(write_trials(tmp_path / "in", 1), out, settings=Settings())
    intact = out.read_bytes()
    half = {"content_hash": "sha256:x", "part": 1, "parts": 2, "record": None}
    out.write_bytes(
        intact + json.dumps(half).encode() + b"\n" + b'{"content_hash": "sha'
    )
    done = load_output(out)
    assert out.read_bytes() == intact
    assert [content_hash for _, content_hash in done] == [lines(out)[0]["content_hash"]]


RUNNER = """
import sys, time
from pathlib import Path
from sarcolit.core.settings import Settings
from sarcolit.extraction import run_batch

def slowly(source: str, done: int, total: int) -> None:
    time.sleep(0.05)

paths = [Path(p) for p in sys.argv[2:]]
run_batch(paths, Path(sys.argv[1]), settings=Settings(), on_progress=slowly)
"""


@pytest.mark.slow
def test_a_run_killed_with_sigkill_resumes_without_loss_or_duplicates(
    tmp_path: Path,
) -> None:
    paths = write_trials(tmp_path / "in", 40)
    script = tmp_path / "runner.py"
    script.write_text(RUNNER, encoding="utf-8")
    out = tmp_path / "killed.jsonl"
    args = [sys.executable, str(script), str(out), *map(str, paths)]
    process = subprocess.Popen(args, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= 5:
            break
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert 5 <= out.read_bytes().count(b"\n") < 40, "the run was not killed mid-batch"
    resumed = run_batch(paths, out, settings=Settings())
    assert resumed.skipped >= 5
    assert resumed.processed + resumed.skipped == 40
    clean = tmp_path / "clean.jsonl"
    run_batch(paths, clean, settings=Settings())
    got = [json.dumps(line, sort_keys=True) for line in lines(out)]
    want = [json.dumps(line, sort_keys=True) for line in lines(clean)]
    assert len(got) == len(set(got)) == 40
    assert sorted(got) == sorted(want)


def test_sample_trials_extract_as_one_batch(tmp_path: Path) -> None:
    report = run_batch([TRIALS], tmp_path / "out.jsonl", settings=Settings())
    assert report.failures == ()
    assert report.processed == 7
    keys = {r.key for r in report.records}
    assert {
        "SARC028",
        "NCT03798106",
        "NCT03967223",
        "SPEARHEAD-1",
        "ImmunoSarc",
        "A091401",
    } <= keys
    anlotinib = next(
        r
        for r in report.records
        if "benmelstobart" in {i.name for i in r.interventions}
    )
    assert {e.endpoint: e.value for e in anlotinib.endpoints} == {
        "ORR": 36.7,
        "median_PFS": 7.8,
    }
    assert anlotinib.endpoints[0].evidence.doc_id in anlotinib.doc_ids


def test_an_edited_input_retires_the_records_of_its_older_version(
    tmp_path: Path,
) -> None:
    (paper,) = write_trials(tmp_path / "in", 1)
    out = tmp_path / "out.jsonl"
    paper.write_text(
        "Methods: The phase II TEST-1 trial gave nivolumab to 20 patients.\n\n"
        "Results: The ORR was 55%.\n",
        encoding="utf-8",
    )
    run_batch([paper], out, settings=Settings())
    paper.write_text(
        paper.read_text(encoding="utf-8").replace("55%", "50%"), encoding="utf-8"
    )
    report = run_batch([paper], out, settings=Settings())
    (record,) = report.records
    assert [e.value for e in record.endpoints if e.endpoint == "ORR"] == [50.0]
    assert record.conflicts == ()
    assert len(lines(out)) == 1
    assert lines(out)[0]["source"] == str(paper)


def test_copies_of_a_failing_file_fail_each_with_a_reason_naming_no_path(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_bytes(b"binary\x00content")
    report = run_batch([folder], tmp_path / "out.jsonl", settings=Settings())
    assert (report.processed, report.skipped) == (0, 0)
    assert sorted(Path(f.source).name for f in report.failures) == ["a.txt", "b.txt"]
    for failure in report.failures:
        assert failure.reason.startswith("binary content")
        assert str(folder) not in failure.reason


@pytest.mark.timeout(30)
def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    report = run_batch([fifo], tmp_path / "out.jsonl", settings=Settings())
    assert [(f.source, f.reason) for f in report.failures] == [
        (str(fifo), "not a regular file")
    ]


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    import tracemalloc

    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(200_000_000)  # sparse: no disk used
    tracemalloc.start()
    try:
        report = run_batch([big], tmp_path / "out.jsonl", settings=Settings())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (failure,) = report.failures
    assert "over the 50,000,000-byte limit" in failure.reason
    assert peak < 20_000_000
