"""Which embedder built a store: recorded in Chroma's collection metadata.

Vectors of two embedders cannot be compared, so a store remembers the embedder
(spec and vector space, see ``sarcolit.core.embedding``) of its first write and
refuses to be queried or extended by another; ``sarcolit reindex`` re-embeds it.
Stores written before embedders were recorded were all built by ``st:``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sarcolit.core.embedding import (
    MINILM_SPACE,
    embedder_name,
    vector_space,
)
from sarcolit.core.errors import ConfigError

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from langchain_core.embeddings import Embeddings

    from sarcolit.ingest.catalog import Collections

SPEC_KEY = "embedder"
SPACE_KEY = "embedder_space"


@dataclass(frozen=True)
class EmbedderRecord:
    """The embedder a store was built with."""

    spec: str
    space: str


def record_of(model: Embeddings) -> EmbedderRecord:
    """Return the record ``model`` would leave on a store it builds."""
    return EmbedderRecord(embedder_name(model), vector_space(model))


def stored_record(cols: Collections) -> EmbedderRecord | None:
    """Return the embedder that built the store, or None for an empty new store."""
    meta = cols.chunks.metadata or {}
    spec, space = meta.get(SPEC_KEY), meta.get(SPACE_KEY)
    if isinstance(spec, str) and isinstance(space, str):
        return EmbedderRecord(spec, space)
    if cols.chunks.count() > 0:
        return EmbedderRecord("st:", MINILM_SPACE)  # written before records existed
    return None


def write_record(collection: Collection, record: EmbedderRecord) -> None:
    """Store ``record`` in a collection's metadata, keeping its other keys."""
    meta = dict(collection.metadata or {})
    meta.update({SPEC_KEY: record.spec, SPACE_KEY: record.space})
    collection.modify(metadata=meta)


def check_embedder(cols: Collections, model: Embeddings) -> None:
    """Refuse ``model`` if the store was built in another vector space.

    Raises:
        ConfigError: the store was embedded by another embedder; the message
            names both and the command that re-embeds the store.
    """
    stored = stored_record(cols)
    wanted = record_of(model)
    if stored is None or stored.space == wanted.space:
        return
    raise ConfigError(
        f"this store was embedded with {stored.spec} ({stored.space}) and cannot "
        f"be searched or extended with {wanted.spec} ({wanted.space}): pass "
        f"--embedder {stored.spec}, or re-embed the store with "
        f"`sarcolit reindex --embedder {wanted.spec}`"
    )


def claim_store(cols: Collections, model: Embeddings) -> None:
    """Check ``model`` against the store, and record it if none is recorded yet.

    Raises:
        ConfigError: as :func:`check_embedder`.
    """
    check_embedder(cols, model)
    meta = cols.chunks.metadata or {}
    if meta.get(SPACE_KEY) is None:
        stored = stored_record(cols) or record_of(model)
        write_record(cols.chunks, stored)
        write_record(cols.docs, stored)
