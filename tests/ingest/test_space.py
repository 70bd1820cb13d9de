"""A store records its embedder, refuses another, and is re-embedded by reindex."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from chromadb.api import ClientAPI

from sarcolit.core.embedding import MINILM_SPACE, embed_texts, embedder
from sarcolit.core.errors import ConfigError
from sarcolit.core.settings import Settings
from sarcolit.core.store import chroma_client
from sarcolit.core.vocabulary import default_vocabulary
from sarcolit.ingest import (
    EmbedderRecord,
    ingest_paths,
    open_collections,
    reindex,
    stored_record,
)
from sarcolit.ingest.chunking import chunk_document
from sarcolit.ingest.pipeline import write_document
from sarcolit.ingest.readers import read_document
from sarcolit.retrieval import open_index
from sarcolit.retrieval.sparse import fingerprint
from tests.conftest import CORPUS

TRIALS = sorted((CORPUS / "trials").glob("*.txt"))[:2]


@pytest.fixture
def client(settings: Settings) -> ClientAPI:
    return chroma_client(settings.store)


def _ingest(client: ClientAPI, settings: Settings, spec: str) -> None:
    cols = open_collections(client, settings.store)
    report = ingest_paths(TRIALS, cols, embedder(spec), settings.ingest)
    assert not report.failed


def test_first_ingest_records_the_embedder(
    client: ClientAPI, settings: Settings
) -> None:
    cols = open_collections(client, settings.store)
    assert stored_record(cols) is None

    _ingest(client, settings, "onnx:")

    cols = open_collections(client, settings.store)
    assert stored_record(cols) == EmbedderRecord("onnx:", MINILM_SPACE)
    assert cols.docs.metadata is not None
    assert cols.docs.metadata["embedder"] == "onnx:"


def test_same_space_is_accepted_another_is_one_line_with_the_fix(
    client: ClientAPI, settings: Settings
) -> None:
    _ingest(client, settings, "onnx:")
    # st: computes the same vectors from the same weights: searching is fine.
    assert open_index(client, settings, embedder("st:")).search("ORR")

    with pytest.raises(ConfigError) as queried:
        open_index(client, settings, embedder("onnx-int8:"))
    with pytest.raises(ConfigError) as added:
        _ingest(client, settings, "onnx-int8:")

    for caught in (queried, added):
        message = str(caught.value)
        assert "\n" not in message
        assert "embedded with onnx: (all-MiniLM-L6-v2)" in message
        assert "sarcolit reindex --embedder onnx-int8:" in message


def test_stores_from_before_records_count_as_st(
    tmp_path: Path, client: ClientAPI, settings: Settings
) -> None:
    cols = open_collections(client, settings.store)
    doc = read_document(TRIALS[0], max_bytes=10**6)
    chunks = chunk_document(doc, settings.ingest.chunk_tokens)
    model = embedder("st:")
    write_document(cols, doc, chunks, embed_texts(model, [c.text for c in chunks]))
    assert cols.chunks.metadata is None  # as written by the old pipeline

    assert stored_record(cols) == EmbedderRecord("st:", MINILM_SPACE)
    open_index(client, settings, embedder("onnx:"))
    with pytest.raises(ConfigError, match="embedded with st:"):
        open_index(client, settings, embedder("onnx-int8:"))


def test_reindex_replaces_vectors_and_keeps_everything_else(
    client: ClientAPI, settings: Settings
) -> None:
    _ingest(client, settings, "onnx:")
    cols = open_collections(client, settings.store)
    before = cols.chunks.get(include=["documents", "metadatas"])
    docs_before = fingerprint(
        vocabulary=default_vocabulary(),
        docs=open_index(client, settings, embedder("onnx:")).documents(),
    )
    int8 = embedder("onnx-int8:")
    seen: list[tuple[int, int]] = []

    count = reindex(client, cols, int8, lambda done, total: seen.append((done, total)))

    cols = open_collections(client, settings.store)
    after = cols.chunks.get(include=["documents", "metadatas", "embeddings"])
    assert count == len(before["ids"]) == seen[-1][0] == seen[-1][1]
    order = np.argsort(after["ids"])
    assert sorted(after["ids"]) == sorted(before["ids"])
    by_id = dict(zip(before["ids"], before["documents"] or [], strict=True))
    texts = [by_id[i] for i in after["ids"]]
    assert texts == after["documents"]
    expected = embed_texts(int8, texts)
    got = np.asarray(after["embeddings"], dtype=np.float32)
    np.testing.assert_allclose(got[order], expected[order], atol=1e-5)
    assert stored_record(cols) == EmbedderRecord("onnx-int8:", f"{MINILM_SPACE} int8")
    assert {c.name for c in client.list_collections()} == {
        "sarcolit-chunks",
        "sarcolit-docs",
    }
    index = open_index(client, settings, int8)
    assert (
        fingerprint(index.documents(), default_vocabulary()) == docs_before
    )  # BM25 side unchanged
    assert index.search("objective response rate")
    with pytest.raises(ConfigError, match="reindex --embedder onnx:"):
        open_index(client, settings, embedder("onnx:"))


def test_document_vectors_are_the_mean_of_their_chunks(
    client: ClientAPI, settings: Settings
) -> None:
    _ingest(client, settings, "onnx:")
    cols = open_collections(client, settings.store)
    reindex(client, cols, embedder("onnx-int8:"))

    cols = open_collections(client, settings.store)
    doc = cols.docs.get(include=["embeddings"], limit=1)
    chunks = cols.chunks.get(where={"doc_id": doc["ids"][0]}, include=["embeddings"])
    mean = np.asarray(chunks["embeddings"], dtype=np.float32).mean(axis=0)
    mean /= np.linalg.norm(mean)
    np.testing.assert_allclose(np.asarray(doc["embeddings"])[0], mean, atol=1e-5)


def test_an_interrupted_swap_is_finished_on_open(
    client: ClientAPI, settings: Settings
) -> None:
    _ingest(client, settings, "onnx:")
    cols = open_collections(client, settings.store)
    reindex(client, cols, embedder("onnx-int8:"))
    # Stop a second reindex between deleting the old chunks and the rename:
    # a complete copy stands beside no original.
    rows = client.get_collection("sarcolit-chunks").get(
        include=["documents", "metadatas", "embeddings"]
    )
    copy = client.create_collection(
        "sarcolit-chunks.next",
        embedding_function=None,
        metadata={
            "embedder": "onnx-int8:",
            "embedder_space": f"{MINILM_SPACE} int8",
            "reindex_complete": True,
        },
    )
    copy.add(
        ids=rows["ids"],
        embeddings=rows["embeddings"],
        documents=rows["documents"],
        metadatas=rows["metadatas"],
    )
    client.delete_collection("sarcolit-chunks")
    # And a copy that never finished, which must not replace anything.
    client.create_collection("sarcolit-docs.next", embedding_function=None)

    cols = open_collections(client, settings.store)

    assert cols.chunks.count() == len(rows["ids"])
    assert cols.chunks.metadata == {
        "embedder": "onnx-int8:",
        "embedder_space": f"{MINILM_SPACE} int8",
    }
    assert cols.docs.count() == 2
    assert "sarcolit-chunks.next" not in {c.name for c in client.list_collections()}
