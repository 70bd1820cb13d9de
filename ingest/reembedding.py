"""Re-embed a store with another embedder, without reading the files again.

The stored chunk texts are embedded anew into fresh collections
(``<name>.next``), with their metadata and ids unchanged; document vectors are
the normalised means of their chunks', as at ingest. Only when both are complete
do they replace the old collections (delete, then rename). A run stopped before
that leaves the store as it was; one stopped between the delete and the rename
is finished by the next :func:`~sarcolit.ingest.catalog.open_collections`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sarcolit.core.embedding import Vectors, embed_texts
from sarcolit.ingest.space import SPACE_KEY, SPEC_KEY, record_of

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from langchain_core.embeddings import Embeddings

    from sarcolit.ingest.catalog import Collections

Progress = Callable[[int, int], None]
NEXT = ".next"
_DONE_KEY = "reindex_complete"
_PAGE = 256


def _fresh(client: ClientAPI, name: str) -> Collection:
    """Create an empty cosine collection ``name``, dropping a leftover one."""
    if name in {c.name for c in client.list_collections()}:
        client.delete_collection(name)
    return client.create_collection(
        name,
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine"}},
    )


def _copy_chunks(
    cols: Collections, target: Collection, model: Embeddings, progress: Progress
) -> dict[str, Vectors]:
    """Embed every chunk into ``target``; return each document's summed vector."""
    ids = cols.chunks.get(include=[])["ids"]
    sums: dict[str, Vectors] = {}
    for lo in range(0, len(ids), _PAGE):
        rows = cols.chunks.get(
            ids=ids[lo : lo + _PAGE], include=["documents", "metadatas"]
        )
        texts = rows["documents"] or []
        metas = rows["metadatas"] or []
        vectors = embed_texts(model, texts)
        target.add(
            ids=rows["ids"], embeddings=vectors, documents=texts, metadatas=metas
        )
        for meta, vector in zip(metas, vectors, strict=True):
            doc_id = str(meta["doc_id"])
            if doc_id not in sums:
                sums[doc_id] = np.zeros_like(vector)
            sums[doc_id] += vector
        progress(min(lo + _PAGE, len(ids)), len(ids))
    return sums


def _copy_docs(cols: Collections, target: Collection, sums: dict[str, Vectors]) -> None:
    """Copy document rows into ``target`` with their chunks' mean vector."""
    ids = [i for i in cols.docs.get(include=[])["ids"] if i in sums]
    for lo in range(0, len(ids), _PAGE):
        rows = cols.docs.get(
            ids=ids[lo : lo + _PAGE], include=["documents", "metadatas"]
        )
        means = np.stack([sums[i] for i in rows["ids"]])
        means /= np.clip(np.linalg.norm(means, axis=1, keepdims=True), 1e-12, None)
        target.add(
            ids=rows["ids"],
            embeddings=means.astype(np.float32),
            documents=rows["documents"] or [],
            metadatas=rows["metadatas"] or [],
        )


def _swap(client: ClientAPI, name: str) -> None:
    """Replace collection ``name`` by its complete ``.next`` copy."""
    if name in {c.name for c in client.list_collections()}:
        client.delete_collection(name)
    copy = client.get_collection(name + NEXT)
    meta = {k: v for k, v in (copy.metadata or {}).items() if k != _DONE_KEY}
    copy.modify(name=name, metadata=meta)


def finish_interrupted(client: ClientAPI, names: tuple[str, ...]) -> None:
    """Finish the swap of a reindex stopped after its copies were complete."""
    present = {c.name: c for c in client.list_collections()}
    for name in names:
        copy = present.get(name + NEXT)
        if copy is not None and (copy.metadata or {}).get(_DONE_KEY) is True:
            _swap(client, name)


def reindex(
    client: ClientAPI,
    cols: Collections,
    model: Embeddings,
    on_progress: Progress | None = None,
) -> int:
    """Re-embed every stored chunk and document of ``cols`` with ``model``.

    Half-written documents are copied as they are (the next ingest sweeps them).
    ``cols`` must be opened again afterwards: its collections are replaced.
    Returns the number of chunks re-embedded.

    Raises:
        ConfigError: the embedder refuses the texts.
        BackendUnavailable: the embeddings server failed; the store is unchanged.
    """
    progress = on_progress or (lambda _done, _total: None)
    names = (cols.chunks.name, cols.docs.name)
    chunks = _fresh(client, names[0] + NEXT)
    docs = _fresh(client, names[1] + NEXT)
    sums = _copy_chunks(cols, chunks, model, progress)
    _copy_docs(cols, docs, sums)
    record = record_of(model)
    for copy in (chunks, docs):  # only now may the copies replace the originals
        copy.modify(
            metadata={SPEC_KEY: record.spec, SPACE_KEY: record.space, _DONE_KEY: True}
        )
    finish_interrupted(client, names)
    return chunks.count()
