"""Batch extraction: resumable, crash-safe JSONL, per-file errors, a long CSV.

Each input is identified by its source path and content hash. Its records are
appended as lines ``{"source", "content_hash", "part", "parts", "record", ...}``
in one write followed by flush and fsync; a file with no records still gets one
line (``parts`` 0). On start, a torn last line or an incomplete last group of
lines (a run killed with ``kill -9`` mid-write) is cut off, and inputs already
complete are skipped, so a rerun loses and duplicates nothing. When a source is
extracted again with other content (an edited paper), the records of its older
versions are retired: the file is rewritten without them (atomically).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from langchain_core.language_models import BaseChatModel

from sarcolit.core.errors import IngestError, SarcolitError
from sarcolit.core.models import Document, TrialRecord
from sarcolit.core.settings import Settings
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary, load_vocabulary
from sarcolit.extraction.export import write_csv
from sarcolit.extraction.extract import DocumentResult, extract_document
from sarcolit.extraction.merge import merge_records
from sarcolit.extraction.wide import write_wide_csv
from sarcolit.ingest import check_file, read_document, walk

CsvFormat = Literal["long", "wide"]
"""long: one row per value; wide: the evidence table, one row per trial/arm/cohort."""
Progress = Callable[[str, int, int], None]
"""Called after each input with (source, inputs finished, inputs in total)."""
GroupKey = tuple[str, str]
"""(source, content hash): one version of one input."""
_Line = tuple[bytes, dict[str, object]]


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be extracted, and why."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class BatchReport:
    """What a batch run did."""

    processed: int
    skipped: int
    failures: tuple[Failure, ...]
    records: tuple[TrialRecord, ...]
    csv_rows: int = 0


@dataclass(frozen=True, slots=True)
class _Job:
    source: str
    content_hash: str
    load: Callable[[], Document]


def file_hash(path: Path) -> str:
    """Return the content hash of a file: 'sha256:' and its SHA-256 (streamed)."""
    with path.open("rb") as handle:
        return "sha256:" + hashlib.file_digest(handle, "sha256").hexdigest()


def _scan(out: Path) -> tuple[int, dict[GroupKey, list[_Line]]]:
    """Return where the valid, complete part of ``out`` ends, and its groups."""
    groups: dict[GroupKey, list[_Line]] = {}
    offset = good = 0
    group_start = 0
    current: GroupKey = ("", "")
    for raw in out.read_bytes().splitlines(keepends=True):
        if not raw.endswith(b"\n"):
            break
        try:
            line = json.loads(raw)
            key = (str(line.get("source", "")), str(line["content_hash"]))
            parts = int(line["parts"])
        except (ValueError, KeyError, TypeError, AttributeError):
            break
        if key != current:
            current, group_start = key, offset
        groups.setdefault(key, []).append((raw, line))
        offset += len(raw)
        complete = len(groups[key]) >= max(parts, 1)
        good = offset if complete else group_start
    for key in [
        k
        for k, lines in groups.items()
        if len(lines) < max(int(str(lines[0][1]["parts"])), 1)
    ]:
        del groups[key]
    return good, groups


def _retire_stale(out: Path, groups: dict[GroupKey, list[_Line]]) -> None:
    """Rewrite ``out`` without the groups of older versions of each source."""
    latest = {key[0]: key for key in groups}  # the last group of a source wins
    stale = [key for key in groups if latest[key[0]] != key]
    if not stale:
        return
    for key in stale:
        del groups[key]
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("wb") as handle:
        handle.write(b"".join(raw for lines in groups.values() for raw, _ in lines))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, out)


def load_output(out: Path) -> dict[GroupKey, list[TrialRecord]]:
    """Repair ``out`` after a crash, retire stale versions, return finished inputs.

    Returns the records of each (source, content hash) that is complete and is
    its source's latest version.
    """
    if not out.exists():
        return {}
    good, groups = _scan(out)
    if good < out.stat().st_size:
        with out.open("r+b") as handle:
            handle.truncate(good)
            os.fsync(handle.fileno())
    _retire_stale(out, groups)
    return {
        key: [
            TrialRecord.model_validate(line["record"])
            for _, line in lines
            if line["record"]
        ]
        for key, lines in groups.items()
    }


def _append(out: Path, job: _Job, document: Document, result: DocumentResult) -> None:
    parts = len(result.records)
    common = {
        "source": job.source,
        "content_hash": job.content_hash,
        "doc_id": document.id,
        "extractor": result.extractor,
        "notes": list(result.notes),
        "parts": parts,
    }
    lines = [
        json.dumps(common | {"part": i + 1, "record": r.model_dump(mode="json")}) + "\n"
        for i, r in enumerate(result.records)
    ] or [json.dumps(common | {"part": 0, "record": None}) + "\n"]
    with out.open("a", encoding="utf-8") as handle:
        handle.write("".join(lines))
        handle.flush()
        os.fsync(handle.fileno())


def _outcomes(
    jobs: Sequence[_Job], model: BaseChatModel | None, workers: int, vocab: Vocabulary
) -> Iterator[tuple[_Job, tuple[Document, DocumentResult] | Failure]]:
    def attempt(job: _Job) -> tuple[Document, DocumentResult] | Failure:
        try:
            document = job.load()
            return document, extract_document(document, model, vocab)
        except IngestError as exc:
            return Failure(job.source, exc.reason)  # the source is named already
        except (SarcolitError, OSError, ValueError) as exc:
            return Failure(job.source, str(exc))

    if workers <= 1:
        for job in jobs:
            yield job, attempt(job)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # map keeps input order, so each input's lines stay together in the file.
        yield from zip(jobs, pool.map(attempt, jobs), strict=True)


def _run(
    jobs: list[_Job],
    failures: list[Failure],
    out_jsonl: Path,
    *,
    csv_path: Path | None,
    csv_format: CsvFormat = "long",
    model: BaseChatModel | None,
    workers: int,
    on_progress: Progress | None,
    vocab: Vocabulary,
) -> BatchReport:
    out_jsonl.parent.mkdir(parents=True, exist_ok=True)
    done = load_output(out_jsonl)
    todo, seen = [], set(done)
    for job in jobs:
        # Keyed by source too: a byte-identical copy elsewhere is its own input
        # (it fails or succeeds on its own) and keeps its own records.
        if (job.source, job.content_hash) not in seen:
            todo.append(job)
            seen.add((job.source, job.content_hash))
    total, finished = len(jobs) + len(failures), len(jobs) - len(todo) + len(failures)
    processed = 0
    for job, outcome in _outcomes(todo, model, workers, vocab):
        if isinstance(outcome, Failure):
            failures.append(outcome)
        else:
            _append(out_jsonl, job, *outcome)
            processed += 1
        finished += 1
        if on_progress:
            on_progress(job.source, finished, total)
    found = [r for rs in load_output(out_jsonl).values() for r in rs]
    records = merge_records(found, vocab)
    rows = 0
    if csv_path is not None and csv_format == "wide":
        titles = {r.doc_ids[0]: r.title for r in found if r.doc_ids and r.title}
        rows = write_wide_csv(records, csv_path, titles)
    elif csv_path is not None:
        rows = write_csv(records, csv_path)
    return BatchReport(
        processed, len(jobs) - len(todo), tuple(failures), tuple(records), rows
    )


def _reader(path: Path, max_bytes: int) -> Callable[[], Document]:
    def load() -> Document:
        return read_document(path, max_bytes=max_bytes)

    return load


def _given(document: Document) -> Callable[[], Document]:
    return lambda: document


def run_batch(
    paths: Sequence[Path],
    out_jsonl: Path,
    *,
    settings: Settings,
    csv_path: Path | None = None,
    csv_format: CsvFormat = "long",
    model: BaseChatModel | None = None,
    workers: int = 1,
    on_progress: Progress | None = None,
    vocabulary: Vocabulary | None = None,
) -> BatchReport:
    """Extract every file under ``paths`` into ``out_jsonl`` (and ``csv_path``).

    Folders are expanded; files already done (same path, same content hash) are
    skipped; an edited file's older records are retired; a file that fails
    (checked for type, size and FIFO before it is read) is reported in
    ``failures`` and the rest go on.
    ``workers`` > 1 runs that many extractions at once (for LLM backends).
    ``vocabulary`` defaults to the one ``settings.vocabulary`` names. The CSV
    is long (one row per value) or wide (the evidence table: one row per
    trial, arm or cohort).
    """
    jobs: list[_Job] = []
    failures: list[Failure] = []
    max_bytes = settings.ingest.max_bytes
    for path, refused in walk(paths, follow_links=settings.ingest.follow_links):
        if refused:
            failures.append(Failure(str(path), refused))
            continue
        try:
            check_file(path, max_bytes)  # type, size, FIFO: before reading a byte
            digest = file_hash(path)
        except IngestError as exc:
            failures.append(Failure(str(path), exc.reason))
            continue
        except OSError as exc:
            failures.append(
                Failure(str(path), f"cannot read the file: {exc.strerror or exc}")
            )
            continue
        jobs.append(_Job(str(path), digest, _reader(path, max_bytes)))
    return _run(
        jobs,
        failures,
        out_jsonl,
        csv_path=csv_path,
        csv_format=csv_format,
        model=model,
        workers=workers,
        on_progress=on_progress,
        vocab=vocabulary or load_vocabulary(settings.vocabulary),
    )


def run_documents(
    documents: Sequence[Document],
    out_jsonl: Path,
    *,
    csv_path: Path | None = None,
    csv_format: CsvFormat = "long",
    model: BaseChatModel | None = None,
    workers: int = 1,
    on_progress: Progress | None = None,
    vocabulary: Vocabulary | None = None,
) -> BatchReport:
    """Extract already-read documents (e.g. from the index), resumably by id."""
    jobs = [_Job(d.source, "doc:" + d.id, _given(d)) for d in documents]
    return _run(
        jobs,
        [],
        out_jsonl,
        csv_path=csv_path,
        csv_format=csv_format,
        model=model,
        workers=workers,
        on_progress=on_progress,
        vocab=vocabulary or default_vocabulary(),
    )
