"""How documents and chunks are laid out in Chroma, and read back.

Two collections per store: ``<prefix>-chunks`` (one row per chunk, its MiniLM
vector, its text and metadata) and ``<prefix>-docs`` (one row per document, the
normalised text, the mean chunk vector and a ``complete`` flag). A document row is
written with ``complete=False`` before its chunks and flipped to ``True`` after
them, so a crash in between leaves a row that the next ingest sweeps away and
that search never shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sarcolit.core.models import Chunk, Document, Page, Section, Subject, Tags
from sarcolit.core.settings import StoreSettings
from sarcolit.ingest.reembedding import finish_interrupted

if TYPE_CHECKING:  # chromadb costs half a second to import: not for `--help`
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import Metadata

_TAG_PREFIXES = {
    "nct_ids": "nct",
    "trials": "trial",
    "agents": "agent",
    "agent_classes": "class",
    "subtypes": "subtype",
}


@dataclass(frozen=True)
class Collections:
    """The two Chroma collections of one store."""

    chunks: Collection
    docs: Collection


def open_collections(client: ClientAPI, settings: StoreSettings) -> Collections:
    """Get or create the chunk and document collections (cosine space, no embedder)."""
    config = {"hnsw": {"space": "cosine"}}
    finish_interrupted(
        client, (f"{settings.collection}-chunks", f"{settings.collection}-docs")
    )
    return Collections(
        chunks=client.get_or_create_collection(
            f"{settings.collection}-chunks",
            embedding_function=None,
            configuration=config,  # type: ignore[arg-type]
        ),
        docs=client.get_or_create_collection(
            f"{settings.collection}-docs",
            embedding_function=None,
            configuration=config,  # type: ignore[arg-type]
        ),
    )


def tag_key(field: str, value: str) -> str:
    """Return the boolean metadata key that marks a chunk as carrying a tag."""
    return f"{_TAG_PREFIXES[field]}:{value}"


def chunk_metadata(chunk: Chunk) -> dict[str, str | int | bool]:
    """Flatten a chunk's fields into Chroma metadata; tags become boolean keys."""
    meta: dict[str, str | int | bool] = {
        "doc_id": chunk.doc_id,
        "start": chunk.start,
        "end": chunk.end,
        "section": chunk.section,
        "page": chunk.page if chunk.page is not None else -1,
        "tags": chunk.tags.model_dump_json(),
        "context": chunk.context.model_dump_json(),
    }
    # A filter admits a passage that names the entity or whose document's
    # subject trial is about it.
    for field in _TAG_PREFIXES:
        for value in {*getattr(chunk.tags, field), *getattr(chunk.context, field)}:
            meta[tag_key(field, value)] = True
    return meta


def _int(value: object, default: int = -1) -> int:
    return int(value) if isinstance(value, int | float | str) else default


def chunk_from_row(chunk_id: str, text: str, meta: Metadata) -> Chunk:
    """Rebuild a ``Chunk`` from a Chroma row."""
    page = _int(meta.get("page"))
    return Chunk(
        id=chunk_id,
        doc_id=str(meta["doc_id"]),
        start=_int(meta["start"]),
        end=_int(meta["end"]),
        text=text,
        section=str(meta.get("section") or ""),
        page=page if page > 0 else None,
        tags=Tags.model_validate_json(str(meta.get("tags") or "{}")),
        context=Tags.model_validate_json(str(meta.get("context") or "{}")),
    )


def doc_metadata(
    doc: Document, n_chunks: int, *, complete: bool
) -> dict[str, str | int | bool]:
    """Flatten a document's fields (not its text) into Chroma metadata."""
    return {
        "source": doc.source,
        "title": doc.title,
        "kind": doc.kind,
        "year": doc.year if doc.year is not None else -1,
        "n_chunks": n_chunks,
        "complete": complete,
        "sections": json.dumps([s.model_dump() for s in doc.sections]),
        "pages": json.dumps([p.model_dump() for p in doc.pages]),
        "subject": doc.subject.model_dump_json() if doc.subject else "",
    }


def doc_from_row(doc_id: str, text: str, meta: Metadata) -> Document:
    """Rebuild a ``Document`` from a Chroma row."""
    year = _int(meta.get("year"))
    subject = str(meta.get("subject") or "")
    return Document(
        id=doc_id,
        source=str(meta["source"]),
        title=str(meta["title"]),
        kind=str(meta.get("kind") or "unknown"),
        year=year if year > 0 else None,
        text=text,
        sections=tuple(
            Section.model_validate(s) for s in json.loads(str(meta["sections"]))
        ),
        pages=tuple(Page.model_validate(p) for p in json.loads(str(meta["pages"]))),
        subject=Subject.model_validate_json(subject) if subject else None,
    )


@dataclass(frozen=True)
class DocInfo:
    """A complete document's catalogue entry, without its text."""

    id: str
    source: str
    title: str
    kind: str
    n_chunks: int


def list_documents(cols: Collections) -> list[DocInfo]:
    """Return the complete documents of the store, sorted by source path."""
    rows = cols.docs.get(where={"complete": True}, include=["metadatas"])
    infos = [
        DocInfo(
            id=doc_id,
            source=str(meta["source"]),
            title=str(meta["title"]),
            kind=str(meta.get("kind") or "unknown"),
            n_chunks=_int(meta.get("n_chunks"), 0),
        )
        for doc_id, meta in zip(rows["ids"], rows["metadatas"] or [], strict=True)
    ]
    return sorted(infos, key=lambda info: info.source)


def get_documents(
    cols: Collections, ids: Iterable[str] | None = None
) -> list[Document]:
    """Return complete documents with their text (all, or those in ``ids``)."""
    wanted = None if ids is None else list(ids)
    if wanted == []:
        return []
    rows = cols.docs.get(
        ids=wanted, where={"complete": True}, include=["metadatas", "documents"]
    )
    docs = [
        doc_from_row(doc_id, text, meta)
        for doc_id, text, meta in zip(
            rows["ids"], rows["documents"] or [], rows["metadatas"] or [], strict=True
        )
    ]
    return sorted(docs, key=lambda doc: doc.source)
