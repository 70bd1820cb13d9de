"""Read, chunk, embed and store files; idempotent, one document at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from sarcolit.core.embedding import Vectors, embed_texts
from sarcolit.core.errors import BackendUnavailable, IngestError, SarcolitError
from sarcolit.core.models import Chunk, Document
from sarcolit.core.settings import IngestSettings
from sarcolit.ingest.catalog import Collections, chunk_metadata, doc_metadata
from sarcolit.ingest.chunking import chunk_document
from sarcolit.ingest.readers import READERS, read_document
from sarcolit.ingest.space import claim_store

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

Status = Literal["added", "replaced", "unchanged", "failed"]
_WRITE_BATCH = 1000


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file."""

    path: Path
    status: Status
    doc_id: str | None = None
    chunks: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    """Outcomes of one ingest run, in the order files were finished."""

    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: Status) -> int:
        """Return how many files ended with ``status``."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def failed(self) -> list[FileOutcome]:
        """The files that could not be ingested."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def chunks_written(self) -> int:
        """Chunks written by this run (unchanged files count none)."""
        return sum(o.chunks for o in self.outcomes if o.status in ("added", "replaced"))


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the readable files below them; keep files as given.

    Inside a folder, hidden files, ``*.meta.json`` sidecars and files of unknown
    type are skipped; a file named explicitly is always tried, so its error shows.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.suffix.lower() in READERS
            )
        else:
            files.append(path)
    return files


def sweep_incomplete(cols: Collections) -> int:
    """Delete documents (and their chunks) left half-written by a failed run."""
    rows = cols.docs.get(where={"complete": False}, include=[])
    for doc_id in rows["ids"]:
        cols.chunks.delete(where={"doc_id": doc_id})
    if rows["ids"]:
        cols.docs.delete(ids=rows["ids"])
    return len(rows["ids"])


def _is_complete(cols: Collections, doc_id: str) -> bool:
    metas = cols.docs.get(ids=[doc_id], include=["metadatas"])["metadatas"] or []
    return bool(metas) and metas[0].get("complete") is True


def write_document(
    cols: Collections, doc: Document, chunks: Sequence[Chunk], vectors: Vectors
) -> None:
    """Write a document row (incomplete), its chunks, then mark it complete."""
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    cols.docs.upsert(
        ids=[doc.id],
        embeddings=[(mean / norm).astype(np.float32)],
        documents=[doc.text],
        metadatas=[doc_metadata(doc, len(chunks), complete=False)],
    )
    cols.chunks.delete(where={"doc_id": doc.id})
    for lo in range(0, len(chunks), _WRITE_BATCH):
        batch = chunks[lo : lo + _WRITE_BATCH]
        cols.chunks.add(
            ids=[c.id for c in batch],
            embeddings=vectors[lo : lo + len(batch)],
            documents=[c.text for c in batch],
            metadatas=[chunk_metadata(c) for c in batch],
        )
    cols.docs.update(
        ids=[doc.id], metadatas=[doc_metadata(doc, len(chunks), complete=True)]
    )


def retire_older_versions(cols: Collections, doc: Document) -> bool:
    """Delete other documents read from the same source; True if any was found."""
    older = cols.docs.get(where={"source": doc.source}, include=[])
    stale = [doc_id for doc_id in older["ids"] if doc_id != doc.id]
    for doc_id in stale:
        cols.chunks.delete(where={"doc_id": doc_id})
    if stale:
        cols.docs.delete(ids=stale)
    return bool(stale)


@dataclass(frozen=True)
class _Prepared:
    """A file read and chunked, waiting for its vectors."""

    path: Path
    doc: Document
    chunks: list[Chunk]


@contextmanager
def _store_errors(path: Path | None) -> Iterator[None]:
    """Turn a store client's failure into ``BackendUnavailable`` saying what is kept."""
    try:
        yield
    except SarcolitError:
        raise
    except Exception as exc:  # the store's client raises many unrelated types
        doing = f"while writing {path}" if path else "before the first file"
        raise BackendUnavailable(
            f"the vector store failed {doing} ({exc.__class__.__name__}: {exc}); "
            "files stored before stay stored, and a half-written file is cleaned "
            "up and redone on the next run"
        ) from exc


def prepare_file(
    path: Path, cols: Collections, settings: IngestSettings
) -> _Prepared | FileOutcome:
    """Read and chunk a file; an unchanged file is finished here, without embedding.

    Raises:
        IngestError: the file cannot be read or holds no text.
        BackendUnavailable: the store failed.
    """
    doc = read_document(path, max_bytes=settings.max_bytes)
    with _store_errors(path):
        if _is_complete(cols, doc.id):
            replaced = retire_older_versions(cols, doc)
            return FileOutcome(path, "replaced" if replaced else "unchanged", doc.id)
    chunks = chunk_document(doc, settings.chunk_tokens)
    if not chunks:
        raise IngestError(path, "no text to index after normalisation")
    return _Prepared(path, doc, chunks)


def _store_batch(
    batch: list[_Prepared],
    cols: Collections,
    embedder: Embeddings,
    settings: IngestSettings,
) -> list[FileOutcome]:
    """Embed the chunks of several files in one call, then write file by file."""
    vectors = embed_texts(embedder, [c.text for p in batch for c in p.chunks])
    outcomes: list[FileOutcome] = []
    offset = 0
    for prepared in batch:
        n = len(prepared.chunks)
        with _store_errors(prepared.path):
            write_document(
                cols, prepared.doc, prepared.chunks, vectors[offset : offset + n]
            )
            replaced = retire_older_versions(cols, prepared.doc)
        offset += n
        status: Status = "replaced" if replaced else "added"
        outcomes.append(FileOutcome(prepared.path, status, prepared.doc.id, n))
    return outcomes


def ingest_paths(
    paths: Iterable[Path],
    cols: Collections,
    embedder: Embeddings,
    settings: IngestSettings,
    on_file: Callable[[FileOutcome], None] | None = None,
) -> IngestReport:
    """Ingest files and folders; a bad file is reported and the others go on.

    Chunks of consecutive files are embedded together (up to
    ``settings.embed_group`` chunks), so short files cost no more than long ones;
    each file is still written, and committed, on its own.

    Raises:
        ConfigError: the store was built by another embedder (see ``space``).
        BackendUnavailable: the store failed; files already stored stay stored.
    """
    with _store_errors(None):
        claim_store(cols, embedder)
        sweep_incomplete(cols)
    report = IngestReport()
    pending: list[_Prepared] = []

    def record(outcomes: Iterable[FileOutcome]) -> None:
        for outcome in outcomes:
            report.outcomes.append(outcome)
            if on_file is not None:
                on_file(outcome)

    for path in expand_paths(paths):
        try:
            prepared = prepare_file(path, cols, settings)
        except IngestError as exc:
            record([FileOutcome(path, "failed", reason=exc.reason)])
            continue
        if isinstance(prepared, FileOutcome):
            record([prepared])
            continue
        pending.append(prepared)
        if sum(len(p.chunks) for p in pending) >= settings.embed_group:
            record(_store_batch(pending, cols, embedder, settings))
            pending = []
    if pending:
        record(_store_batch(pending, cols, embedder, settings))
    return report
