"""Read, chunk, embed and store files; idempotent, one document at a time."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from sarcolit.core.embedding import Vectors, embed_texts
from sarcolit.core.errors import BackendUnavailable, IngestError, SarcolitError
from sarcolit.core.models import Chunk, Document
from sarcolit.core.settings import IngestSettings
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest.catalog import Collections, chunk_metadata, doc_metadata
from sarcolit.ingest.chunking import chunk_document
from sarcolit.ingest.readers import READERS, read_document
from sarcolit.ingest.space import claim_store

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

Status = Literal["added", "replaced", "unchanged", "failed"]
_WRITE_BATCH = 1000
LEASE_S = 600.0
"""How long a half-written document is its writer's; renewed after each batch."""
_HOST = socket.gethostname()
_RUN = uuid.uuid4().hex[:12]


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


def walk(
    paths: Iterable[Path], *, follow_links: bool = False
) -> Iterator[tuple[Path, str]]:
    """Yield each file to read from ``paths`` with '' or the reason it is refused.

    Folders are expanded as by :func:`expand_paths`. A symbolic link inside a
    folder that resolves outside it is refused unless ``follow_links``: naming
    a folder must not read a file elsewhere (a link to a system file).
    """
    for path in paths:
        if not path.is_dir():
            yield path, ""
            continue
        root = path.resolve()
        for file in expand_paths([path]):
            target = file.resolve()
            if follow_links or target.is_relative_to(root):
                yield file, ""
            else:
                yield (
                    file,
                    f"a link to {target}, outside the folder {path}; "
                    "pass --follow-links (SARCOLIT_INGEST__FOLLOW_LINKS) to read it",
                )


def _writer() -> str:
    return f"{_HOST}:{os.getpid()}:{_RUN}"


def _lease() -> dict[str, str | float]:
    """The metadata that marks a half-written document as its writer's, for now."""
    return {"writer": _writer(), "lease": time.time() + LEASE_S}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


def is_abandoned(meta: Mapping[str, object], now: float) -> bool:
    """Return True when a half-written document's writer is provably gone.

    Its lease ran out, or its writer was a process on this host that is no
    longer running (a run killed with -9). A row of a live writer, in this
    process or another, is never taken.
    """
    lease = meta.get("lease")
    if not isinstance(lease, int | float) or lease < now:
        return True
    host, _, rest = str(meta.get("writer", "")).partition(":")
    pid, _, run = rest.partition(":")
    if host != _HOST or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return run != _RUN
    return not _pid_alive(int(pid))


def sweep_incomplete(cols: Collections) -> int:
    """Delete half-written documents (and their chunks) whose writer is gone."""
    rows = cols.docs.get(where={"complete": False}, include=["metadatas"])
    now = time.time()
    abandoned = [
        doc_id
        for doc_id, meta in zip(rows["ids"], rows["metadatas"] or [], strict=True)
        if is_abandoned(meta, now)
    ]
    for doc_id in abandoned:
        cols.chunks.delete(where={"doc_id": doc_id})
    if abandoned:
        cols.docs.delete(ids=abandoned)
    return len(abandoned)


def _is_complete(cols: Collections, doc_id: str) -> bool:
    metas = cols.docs.get(ids=[doc_id], include=["metadatas"])["metadatas"] or []
    return bool(metas) and metas[0].get("complete") is True


def write_document(
    cols: Collections, doc: Document, chunks: Sequence[Chunk], vectors: Vectors
) -> None:
    """Write a document row (incomplete), its chunks, then mark it complete."""
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    meta: dict[str, str | int | float | bool] = {
        **doc_metadata(doc, len(chunks), complete=False),
        **_lease(),
    }
    cols.docs.upsert(
        ids=[doc.id],
        embeddings=[(mean / norm).astype(np.float32)],
        documents=[doc.text],
        metadatas=[meta],
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
        cols.docs.update(ids=[doc.id], metadatas=[_lease()])
    cols.docs.update(
        ids=[doc.id], metadatas=[doc_metadata(doc, len(chunks), complete=True)]
    )
    if not _is_complete(cols, doc.id):
        # Chroma's update skips a missing row silently: never report it stored.
        raise IngestError(
            Path(doc.source),
            "its document row was removed while its chunks were written "
            "(another process swept it); ingest the file again",
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
    path: Path,
    cols: Collections,
    settings: IngestSettings,
    vocabulary: Vocabulary | None = None,
) -> _Prepared | FileOutcome:
    """Read and chunk a file; an unchanged file is finished here, without embedding.

    Raises:
        IngestError: the file cannot be read or holds no text.
        BackendUnavailable: the store failed.
    """
    doc = read_document(path, max_bytes=settings.max_bytes, vocabulary=vocabulary)
    if len(doc.text) > settings.max_chars:
        raise IngestError(
            path,
            f"{len(doc.text):,} characters of text, over the {settings.max_chars:,}"
            "-character limit (500,000 characters take about 45 s to embed on 2 "
            "idle cores); split the file or raise SARCOLIT_INGEST__MAX_CHARS",
        )
    with _store_errors(path):
        if _is_complete(cols, doc.id):
            replaced = retire_older_versions(cols, doc)
            return FileOutcome(path, "replaced" if replaced else "unchanged", doc.id)
    chunks = chunk_document(doc, settings.chunk_tokens, vocabulary)
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
        try:
            with _store_errors(prepared.path):
                write_document(
                    cols, prepared.doc, prepared.chunks, vectors[offset : offset + n]
                )
                replaced = retire_older_versions(cols, prepared.doc)
        except IngestError as exc:
            outcomes.append(FileOutcome(prepared.path, "failed", reason=exc.reason))
            continue
        finally:
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
    vocabulary: Vocabulary | None = None,
) -> IngestReport:
    """Ingest files and folders; a bad file is reported and the others go on.

    Chunks of consecutive files are embedded together (up to
    ``settings.embed_group`` chunks), so short files cost no more than long ones;
    each file is still written, and committed, on its own.

    Chunks are tagged with ``vocabulary`` (default: the bundled one).

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

    for path, refused in walk(paths, follow_links=settings.follow_links):
        if refused:
            record([FileOutcome(path, "failed", reason=refused)])
            continue
        try:
            prepared = prepare_file(path, cols, settings, vocabulary)
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
