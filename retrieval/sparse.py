"""The BM25 side of hybrid search, persisted beside Chroma and kept in step with it.

The index is built from the chunks of complete documents only. Its manifest
records a fingerprint of those documents (ids and chunk counts); when the store's
fingerprint differs (another process ingested, a run failed half-way) the index is
rebuilt from Chroma on open, so BM25 never answers from a stale corpus.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt

from sarcolit.core.models import Chunk, Document
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary
from sarcolit.ingest import (
    Collections,
    DocInfo,
    chunk_from_row,
    get_documents,
    list_documents,
    tag_text,
)
from sarcolit.retrieval.facts import defined_subtypes
from sarcolit.retrieval.qualifiers import is_mixed, mono_agents
from sarcolit.retrieval.tokens import VERSION as TOKENS_VERSION
from sarcolit.retrieval.tokens import entity_tokens, tokenize

_PAGE = 2000
_FORMAT = 5


def fingerprint(docs: list[DocInfo], vocabulary: Vocabulary) -> str:
    """Return a digest of the documents, their chunk counts and the vocabulary."""
    digest = hashlib.sha256(f"v{_FORMAT}.{TOKENS_VERSION}.{vocabulary.digest}".encode())
    for doc in sorted(docs, key=lambda d: d.id):
        digest.update(f"{doc.id}:{doc.n_chunks};".encode())
    return digest.hexdigest()[:32]


HEAD_CHARS = 600
"""Characters of a document's opening kept to tell where it comes from."""


@dataclass(frozen=True)
class DocHead:
    """What a document is and where it comes from, without its text."""

    title: str
    source: str
    kind: str
    year: int | None
    head: str
    """The first characters of its text: masthead, citation line, opening."""
    abbreviations: dict[str, str] = field(default_factory=dict)
    """Subtype abbreviations the document defines for itself ('LPS' -> 'LPS')."""
    phase: str | None = None
    """The phase of the trial it reports, if it reports one."""
    mono_agents: tuple[str, ...] = ()
    """Agents it reports given alone ('nivolumab alone', 'the nivolumab arm')."""
    mixed: bool = False
    """Its title speaks of sarcomas in general, not of one subtype only."""

    def describe(self, chars: int = HEAD_CHARS) -> str:
        """Return the text that says where the document comes from (lower case).

        Its title, masthead and opening (the first ``chars`` characters), file
        name and year.
        """
        year = f" {self.year}" if self.year else ""
        name = Path(self.source).stem.replace("-", " ").replace("_", " ")
        return f"{self.title}\n{self.head[:chars]}\n{name}{year}".lower()


@dataclass
class SparseIndex:
    """BM25 over the stored chunks, with the chunks themselves kept in memory."""

    chunks: list[Chunk]
    titles: dict[str, str]
    bm25: bm25s.BM25 | None
    fingerprint: str
    heads: dict[str, DocHead] = field(default_factory=dict)

    def scores(self, query_tokens: list[str]) -> npt.NDArray[np.float32]:
        """Return one BM25 score per chunk (zeros for an empty index or query)."""
        known = [t for t in query_tokens if self.bm25 is not None and t in self._vocab]
        if self.bm25 is None or not known:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(known), dtype=np.float32)

    def doc_freq(self, token: str) -> int:
        """Return how many chunks contain ``token`` (0 if none does)."""
        if self.bm25 is None or token not in self._vocab:
            return 0
        indptr = self.bm25.scores["indptr"]
        column = self._vocab[token]
        return int(indptr[column + 1] - indptr[column])

    @property
    def _vocab(self) -> dict[str, int]:
        assert self.bm25 is not None
        return self.bm25.vocab_dict  # type: ignore[no-any-return]


def fetch_chunks(cols: Collections, doc_ids: set[str]) -> list[Chunk]:
    """Read every chunk of the given documents from Chroma, page by page."""
    chunks: list[Chunk] = []
    offset = 0
    while True:
        rows = cols.chunks.get(
            include=["documents", "metadatas"], limit=_PAGE, offset=offset
        )
        for chunk_id, text, meta in zip(
            rows["ids"], rows["documents"] or [], rows["metadatas"] or [], strict=True
        ):
            if meta["doc_id"] in doc_ids:
                chunks.append(chunk_from_row(chunk_id, text, meta))
        if len(rows["ids"]) < _PAGE:
            break
        offset += _PAGE
    chunks.sort(key=lambda c: (c.doc_id, c.start))
    return chunks


def _retag(chunk: Chunk, vocabulary: Vocabulary) -> Chunk:
    """Tag a stored chunk again with ``vocabulary`` (it may have changed)."""
    head = f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text
    tags = tag_text(head, vocabulary)
    return chunk if tags == chunk.tags else chunk.model_copy(update={"tags": tags})


def build(cols: Collections, vocabulary: Vocabulary | None = None) -> SparseIndex:
    """Build the BM25 index from the complete documents in the store.

    Chunks are tagged again with ``vocabulary`` (default: the bundled one), so
    a changed vocabulary takes effect without ingesting again.
    """
    vocab = vocabulary or default_vocabulary()
    docs = list_documents(cols)
    chunks = [_retag(c, vocab) for c in fetch_chunks(cols, {d.id for d in docs})]
    titles = {d.id: d.title for d in docs}
    heads = {
        doc.id: head_of(doc, vocab) for doc in get_documents(cols, [d.id for d in docs])
    }
    bm25 = None
    if chunks:
        bm25 = bm25s.BM25()
        corpus = [chunk_tokens(c, titles[c.doc_id], vocab) for c in chunks]
        bm25.index(corpus, show_progress=False)
    return SparseIndex(chunks, titles, bm25, fingerprint(docs, vocab), heads)


def head_of(doc: Document, vocab: Vocabulary) -> DocHead:
    """Return what the answerer needs to know of a document beside its chunks."""
    agents = [(m.start, m.end, m.value) for m in vocab.find_agents(doc.text)]
    # A plain-text file's title is its file name: its first line is the title.
    title = doc.title if " " in doc.title else doc.text.lstrip()[:300].split("\n")[0]
    broad = any(vocab.is_broad(m.value) for m in vocab.find_subtypes(title))
    return DocHead(
        title=doc.title,
        source=doc.source,
        kind=doc.kind,
        year=doc.year,
        head=doc.text[:HEAD_CHARS],
        abbreviations=defined_subtypes(doc.text, vocab),
        phase=doc.subject.phase if doc.subject is not None else None,
        mono_agents=tuple(sorted(mono_agents(doc.text, agents))),
        mixed=is_mixed(title, broad),
    )


def chunk_tokens(chunk: Chunk, title: str, vocabulary: Vocabulary) -> list[str]:
    """Return the BM25 tokens of a chunk read in its document's context.

    Besides its own words and entities, a passage carries its document's title
    and the entities of the trial the document reports: "the objective response
    rate was 25%" in an abstract titled "Atezolizumab in ASPS" is found by a
    query that names atezolizumab and ASPS.
    """
    own = entity_tokens(chunk.tags)
    context = [t for t in entity_tokens(chunk.context) if t not in own]
    text = f"{title}\n{chunk.section}\n{chunk.text}"
    return tokenize(text, vocabulary) + own + context


def save(index: SparseIndex, directory: Path) -> None:
    """Write the index to ``directory`` atomically (a temp dir, then a rename).

    The saved index is a cache: when another process swaps in its own copy at
    the same moment, this one is dropped and theirs is kept.
    """
    unique = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp = directory.with_name(f"{directory.name}.{unique}.tmp")
    tmp.mkdir(parents=True)
    if index.bm25 is not None:
        index.bm25.save(str(tmp / "bm25"), show_progress=False)
    (tmp / "chunks.json").write_text(
        json.dumps([c.model_dump(mode="json") for c in index.chunks])
    )
    manifest = {
        "fingerprint": index.fingerprint,
        "titles": index.titles,
        "heads": {key: asdict(head) for key, head in index.heads.items()},
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest))
    old = directory.with_name(f"{directory.name}.{unique}.old")
    try:
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
    except OSError:
        pass  # another process saved at the same moment: its copy stands
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def load(directory: Path) -> SparseIndex | None:
    """Read a saved index, or None when there is none or it is unreadable."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        raw = json.loads((directory / "chunks.json").read_text())
        bm25 = None
        if (directory / "bm25").exists():
            bm25 = bm25s.BM25.load(str(directory / "bm25"), show_progress=False)
        chunks = [Chunk.model_validate(c) for c in raw]
        heads = {k: DocHead(**v) for k, v in manifest["heads"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return SparseIndex(
        chunks, dict(manifest["titles"]), bm25, manifest["fingerprint"], heads
    )


def open_sparse(
    cols: Collections, directory: Path, vocabulary: Vocabulary | None = None
) -> SparseIndex:
    """Load the saved index if it is in step with the store; else rebuild and save.

    In step: built from the same complete documents, with the same vocabulary.
    """
    vocab = vocabulary or default_vocabulary()
    current = fingerprint(list_documents(cols), vocab)
    saved = load(directory)
    if saved is not None and saved.fingerprint == current:
        return saved
    index = build(cols, vocab)
    save(index, directory)
    return index
