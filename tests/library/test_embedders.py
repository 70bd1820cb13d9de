"""The Library opens a store with the embedder that built it, unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from sarcolit.core.embedding import DEFAULT_SPEC, embed_texts, embedder, embedder_name
from sarcolit.core.errors import BackendUnavailable, ConfigError
from sarcolit.core.store import chroma_client
from sarcolit.ingest import open_collections
from sarcolit.ingest.chunking import chunk_document
from sarcolit.ingest.pipeline import write_document
from sarcolit.ingest.readers import read_document
from sarcolit.library import Library, configure
from tests.conftest import CORPUS

TRIAL = CORPUS / "trials" / "lete-cel-nct03967223.txt"


def test_a_new_store_gets_the_default(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "data")
    assert embedder_name(library.embedder) == DEFAULT_SPEC
    assert library.settings.embedder.spec == DEFAULT_SPEC


def test_a_store_is_opened_with_its_own_embedder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Library.open(data, embedder="onnx:").ingest([TRIAL])

    assert embedder_name(Library.open(data).embedder) == "onnx:"
    with pytest.raises(ConfigError, match="reindex --embedder onnx-int8:") as caught:
        Library.open(data, embedder="onnx-int8:")
    assert "\n" not in str(caught.value)


def test_a_store_from_before_records_opens_without_torch(tmp_path: Path) -> None:
    settings = configure(data_dir=tmp_path / "data")
    cols = open_collections(chroma_client(settings.store), settings.store)
    doc = read_document(TRIAL, max_bytes=10**6)
    chunks = chunk_document(doc, settings.ingest.chunk_tokens)
    vectors = embed_texts(embedder("st:"), [c.text for c in chunks])
    write_document(cols, doc, chunks, vectors)  # as the pipeline wrote it before

    library = Library.open(tmp_path / "data")

    assert embedder_name(library.embedder) == "onnx:"  # same vectors as st:
    assert library.search("letetresgene autoleucel", 1)


def test_reindexed_store_keeps_its_documents(tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = Library.open(data, embedder="onnx:")
    before.ingest([TRIAL])
    documents = [d.id for d in before.documents()]
    seen: list[int] = []

    after = Library.reindexed(
        "onnx-int8:", data, on_progress=lambda done, _total: seen.append(done)
    )

    assert embedder_name(after.embedder) == "onnx-int8:"
    assert [d.id for d in after.documents()] == documents
    assert seen[-1] == len(after.index.chunks)
    assert embedder_name(Library.open(data).embedder) == "onnx-int8:"
    with pytest.raises(BackendUnavailable, match="open the library again"):
        before.search("letetresgene autoleucel")  # opened before the reindex
