"""Hybrid search: MiniLM vectors in Chroma plus BM25, fused by reciprocal rank."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from chromadb.api import ClientAPI

from sarcolit.core.embedding import embed_texts
from sarcolit.core.errors import BackendUnavailable, ConfigError
from sarcolit.core.models import Chunk, Document, SearchHit
from sarcolit.core.settings import Settings
from sarcolit.core.store import store_errors
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary, load_vocabulary
from sarcolit.ingest import (
    Collections,
    DocInfo,
    check_embedder,
    get_documents,
    list_documents,
    normalize,
    open_collections,
    sentence_spans,
    tag_key,
)
from sarcolit.retrieval.sparse import SparseIndex, fingerprint, open_sparse
from sarcolit.retrieval.tokens import query_tokens

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

_Where = dict[str, object]


@dataclass(frozen=True)
class Filters:
    """Metadata filters: OR within a field, AND across fields."""

    subtypes: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    nct_ids: tuple[str, ...] = ()
    trials: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls,
        *,
        subtypes: Sequence[str] = (),
        agents: Sequence[str] = (),
        nct_ids: Sequence[str] = (),
        trials: Sequence[str] = (),
        doc_ids: Sequence[str] = (),
        vocabulary: Vocabulary | None = None,
    ) -> Filters:
        """Canonicalise user input ('synovial sarcoma' -> 'SS', 'lete-cel' -> ...).

        A subtype admits its narrower subtypes too: 'liposarcoma' admits
        passages tagged DDLPS or MRCLS.

        Raises:
            ConfigError: a subtype or agent is not in the vocabulary.
        """
        vocab = vocabulary or default_vocabulary()
        codes = [_canonical(s, vocab.canonical_subtype, "subtype") for s in subtypes]
        return cls(
            subtypes=tuple(
                dict.fromkeys(
                    c
                    for code in codes
                    for c in (code, *vocab.subtype_descendants(code))
                )
            ),
            agents=tuple(_canonical(a, vocab.canonical_agent, "agent") for a in agents),
            nct_ids=tuple(n.strip().upper() for n in nct_ids),
            trials=tuple(t.strip() for t in trials),
            doc_ids=tuple(doc_ids),
        )

    def _tag_filters(self) -> list[tuple[str, tuple[str, ...]]]:
        """Return (Tags field, wanted values) for each tag filter that is set.

        The field names are shared by ``Filters`` and ``sarcolit.core.models.Tags``.
        """
        fields = ("subtypes", "agents", "nct_ids", "trials")
        return [(name, getattr(self, name)) for name in fields if getattr(self, name)]

    def where(self) -> _Where | None:
        """Return the Chroma ``where`` clause, or None when nothing is filtered."""
        clauses: list[_Where] = []
        for name, values in self._tag_filters():
            options: list[_Where] = [{tag_key(name, v): True} for v in values]
            clauses.append(options[0] if len(options) == 1 else {"$or": options})
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, chunk: Chunk) -> bool:
        """Return True when ``chunk`` passes every filter."""
        if self.doc_ids and chunk.doc_id not in self.doc_ids:
            return False
        return all(
            set(wanted) & {*getattr(chunk.tags, name), *getattr(chunk.context, name)}
            for name, wanted in self._tag_filters()
        )


def _canonical(value: str, lookup: Callable[[str], str | None], what: str) -> str:
    found = lookup(value)
    if found is None:
        raise ConfigError(f"unknown {what} {value!r}; see `sarcolit search --help`")
    return found


def sparse_dir(settings: Settings) -> Path:
    """Return the folder of this store's BM25 index (one per store and collection)."""
    where = settings.store.url or str(settings.store.path.resolve() / "chroma")
    key = hashlib.sha256(f"{where}|{settings.store.collection}".encode()).hexdigest()
    return settings.store.path / "bm25" / key[:16]


@dataclass
class HybridIndex:
    """An open store: Chroma collections, the BM25 side and the embedder."""

    cols: Collections
    sparse: SparseIndex
    embedder: Embeddings
    settings: Settings
    vocabulary: Vocabulary = field(default_factory=default_vocabulary)
    _by_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Map chunk ids to their row in the sparse table."""
        self._by_id = {c.id: i for i, c in enumerate(self.sparse.chunks)}

    def refresh(self) -> None:
        """Bring the BM25 side in step with the store after an ingest."""
        fresh = self.refreshed()
        self.sparse, self._by_id = fresh.sparse, fresh._by_id

    def refreshed(self) -> HybridIndex:
        """Return a new index over the store as it is now (this one is unchanged).

        Readers holding this index keep a consistent view while the new one is
        built; the caller swaps it in when it is ready.

        Raises:
            BackendUnavailable: the store failed.
        """
        with store_errors("reading the stored chunks"):
            sparse = open_sparse(self.cols, sparse_dir(self.settings), self.vocabulary)
        return HybridIndex(
            self.cols, sparse, self.embedder, self.settings, self.vocabulary
        )

    def store_fingerprint(self) -> str:
        """Return the fingerprint of the documents in the store now.

        It differs from ``self.sparse.fingerprint`` once another process has
        added, replaced or removed a document.

        Raises:
            BackendUnavailable: the store failed.
        """
        with store_errors("listing the documents"):
            return fingerprint(list_documents(self.cols), self.vocabulary)

    def chunk_after(self, chunk: Chunk) -> Chunk | None:
        """Return the next chunk of the same section, if any."""
        row = self._by_id.get(chunk.id)
        if row is None or row + 1 >= len(self.sparse.chunks):
            return None
        after = self.sparse.chunks[row + 1]
        same = after.doc_id == chunk.doc_id and after.section == chunk.section
        return after if same else None

    def sentences_before(self, chunk: Chunk, n: int) -> list[str]:
        """Return the last ``n`` sentences of the previous chunk in the same section."""
        row = self._by_id.get(chunk.id)
        if not row:
            return []
        before = self.sparse.chunks[row - 1]
        if before.doc_id != chunk.doc_id or before.section != chunk.section:
            return []
        return [before.text[s:e] for s, e in sentence_spans(before.text)[-n:]]

    @property
    def chunks(self) -> list[Chunk]:
        """Every searchable chunk, in document order."""
        return self.sparse.chunks

    def idf(self, token: str) -> float:
        """Return the BM25 inverse document frequency of a token over the chunks.

        A token no chunk contains weighs the most.
        """
        n_chunks = max(len(self.sparse.chunks), 1)
        return math.log(1.0 + (n_chunks + 0.5) / (self.sparse.doc_freq(token) + 0.5))

    def title(self, doc_id: str) -> str:
        """Return a document's title ('' if unknown)."""
        return self.sparse.titles.get(doc_id, "")

    def documents(self) -> list[DocInfo]:
        """Return the catalogue of complete documents.

        Raises:
            BackendUnavailable: the store failed.
        """
        with store_errors("listing the documents"):
            return list_documents(self.cols)

    def get_documents(self, ids: Sequence[str] | None = None) -> list[Document]:
        """Return documents with their normalised text (all, or those in ``ids``).

        Duplicate ids are read once.

        Raises:
            BackendUnavailable: the store failed.
        """
        wanted = None if ids is None else list(dict.fromkeys(ids))
        with store_errors("reading documents"):
            return get_documents(self.cols, wanted)

    def embed_query(self, query: str) -> npt.NDArray[np.float32]:
        """Return the normalised vector of a (normalised) query."""
        vector: npt.NDArray[np.float32] = embed_texts(self.embedder, [query])[0]
        return vector

    def search(
        self, query: str, k: int | None = None, filters: Filters | None = None
    ) -> list[SearchHit]:
        """Return the top ``k`` chunks for ``query`` by reciprocal rank fusion.

        Raises:
            BackendUnavailable: the Chroma server stopped answering.
        """
        query = normalize(query)
        k = k or self.settings.retrieval.k
        filters = filters or Filters()
        if not self.sparse.chunks or not query.strip():
            return []
        dense = self._dense(query, filters)
        sparse = self._bm25(query, filters)
        return self._fuse(dense, sparse, k)

    def _dense(self, query: str, filters: Filters) -> list[tuple[int, float]]:
        n = min(self.settings.retrieval.candidates, len(self.sparse.chunks))
        try:
            result = self.cols.chunks.query(
                query_embeddings=[self.embed_query(query).tolist()],
                n_results=n,
                where=filters.where(),  # type: ignore[arg-type]
                include=["distances"],
            )
        except Exception as exc:  # the client raises many unrelated types
            if type(exc).__name__ == "NotFoundError":
                raise BackendUnavailable(
                    "the store's collections were replaced while open (re-embedded "
                    "by `sarcolit reindex`?): open the library again"
                ) from exc
            raise BackendUnavailable(
                f"the vector store did not answer a query ({exc.__class__.__name__}: "
                f"{exc}); check that the Chroma server is running"
            ) from exc
        rows: list[tuple[int, float]] = []
        distances = (result["distances"] or [[]])[0]
        for chunk_id, distance in zip(result["ids"][0], distances, strict=True):
            row = self._by_id.get(chunk_id)
            if row is not None:  # chunks of incomplete documents are never shown
                rows.append((row, 1.0 - float(distance)))
        return rows

    def _bm25(self, query: str, filters: Filters) -> list[tuple[int, float]]:
        scores = self.sparse.scores(query_tokens(query, self.vocabulary))
        if filters != Filters():
            mask = np.fromiter(
                (filters.admits(c) for c in self.sparse.chunks), dtype=bool
            )
            scores = np.where(mask, scores, 0.0)
        n = min(self.settings.retrieval.candidates, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def _fuse(
        self,
        dense: list[tuple[int, float]],
        sparse: list[tuple[int, float]],
        k: int,
    ) -> list[SearchHit]:
        rrf_k = self.settings.retrieval.rrf_k
        fused: dict[int, float] = {}
        for ranking in (dense, sparse):
            for rank, (row, _) in enumerate(ranking, start=1):
                fused[row] = fused.get(row, 0.0) + 1.0 / (rrf_k + rank)
        dense_rank = {row: r for r, (row, _) in enumerate(dense, start=1)}
        similarity = dict(dense)
        sparse_rank = {row: r for r, (row, _) in enumerate(sparse, start=1)}
        best = sorted(fused, key=lambda row: (-fused[row], row))[:k]
        return [
            SearchHit(
                chunk=self.sparse.chunks[row],
                title=self.title(self.sparse.chunks[row].doc_id),
                score=fused[row],
                dense_rank=dense_rank.get(row),
                bm25_rank=sparse_rank.get(row),
                dense_similarity=similarity.get(row),
            )
            for row in best
        ]


def open_index(
    client: ClientAPI,
    settings: Settings,
    embedder: Embeddings,
    vocabulary: Vocabulary | None = None,
) -> HybridIndex:
    """Open the store for search; rebuilds the BM25 side if it is out of step.

    ``vocabulary`` (default: the one ``settings.vocabulary`` names) tags queries
    and passages.

    Raises:
        ConfigError: the store was built by another embedder.
    """
    vocab = vocabulary or load_vocabulary(settings.vocabulary)
    with store_errors("opening the collections"):
        cols = open_collections(client, settings.store)
        check_embedder(cols, embedder)
        sparse = open_sparse(cols, sparse_dir(settings), vocab)
    return HybridIndex(cols, sparse, embedder, settings, vocab)


def documents(client: ClientAPI, settings: Settings) -> list[Document]:
    """Return every ingested document with its normalised text."""
    return get_documents(open_collections(client, settings.store))
