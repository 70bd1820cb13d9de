"""Trial records: batch extraction into files, and the records kept with the store.

``extract`` is bound as the Library method of that name (its ``library`` is
the method's ``self``); the Library's ``records`` delegates to the others. The
extractor is imported where used: ``sarcolit ask`` and ``search`` need none of
it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sarcolit.core.models import Document, TrialRecord
from sarcolit.record_store import RecordStore, extractor_version

if TYPE_CHECKING:
    import threading

    from sarcolit.core.vocabulary import Vocabulary
    from sarcolit.extraction import BatchReport, CsvFormat, Progress
    from sarcolit.library import Library
    from sarcolit.retrieval import HybridIndex


def extract(
    library: Library,
    paths: Sequence[Path | str] = (),
    *,
    out: Path | str = Path("records.jsonl"),
    csv: Path | str | None = None,
    csv_format: CsvFormat = "long",
    documents: Sequence[Document] | None = None,
    on_progress: Progress | None = None,
    follow_links: bool | None = None,
) -> BatchReport:
    """Extract trial records from files (or given documents) into JSONL and CSV.

    Files already extracted into ``out`` (same path and content) are
    skipped, an edited file's older records are retired, and a file that
    fails is reported while the others go on. The configured chat model,
    if any, extracts; otherwise the rules do.

    Args:
        library: The library whose model and vocabulary extract (the method's
            ``self``).
        paths: Files or folders of papers.
        out: JSON Lines output (appended to, resumable).
        csv: Also write a CSV here.
        csv_format: ``long`` (one row per value) or ``wide`` (the evidence
            table: one row per trial, arm or cohort, values of several
            documents merged, disagreements named).
        documents: Already-read documents to extract instead of ``paths``
            (e.g. :meth:`~sarcolit.Library.get_documents`).
        on_progress: Called with (source, done, total) after each file.
        follow_links: Read links in a folder that point outside it
            (default: ``ingest.follow_links``).
    """
    from sarcolit.extraction import run_batch, run_documents

    model = library.chat_model()
    workers = library.settings.extraction.llm_workers if model is not None else 1
    csv_path = Path(csv) if csv is not None else None
    if documents is not None:
        return run_documents(
            documents,
            Path(out),
            csv_path=csv_path,
            csv_format=csv_format,
            model=model,
            workers=workers,
            on_progress=on_progress,
            vocabulary=library.vocabulary,
        )
    settings = library.settings
    if follow_links is not None:
        ingest = settings.ingest.model_copy(update={"follow_links": follow_links})
        settings = settings.model_copy(update={"ingest": ingest})
    return run_batch(
        [Path(p) for p in paths],
        Path(out),
        settings=settings,
        csv_path=csv_path,
        csv_format=csv_format,
        model=model,
        workers=workers,
        on_progress=on_progress,
        vocabulary=library.vocabulary,
    )


def synced(
    store: RecordStore,
    lock: threading.Lock,
    index: HybridIndex,
    vocabulary: Vocabulary,
) -> list[TrialRecord]:
    """Return the stored records of every document, extracting new ones first."""
    from sarcolit.extraction import extract_document

    with lock:
        ids = [info.id for info in index.documents()]
        store.sync(
            ids,
            index.get_documents,
            lambda d: list(extract_document(d, None, vocabulary).records),
            extractor_version(vocabulary.digest),
        )
        return store.records(ids)


def merged(
    records: list[TrialRecord],
    doc_ids: Sequence[str] | None,
    vocabulary: Vocabulary,
) -> list[TrialRecord]:
    """Return ``records`` (of ``doc_ids`` only, if given) merged trial by trial."""
    from sarcolit.extraction import merge_records

    if doc_ids is not None:
        wanted = set(doc_ids)
        records = [r for r in records if wanted & set(r.doc_ids)]
    return list(merge_records(records, vocabulary))
