"""Trial records are extracted at ingest and kept in step with the store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from sarcolit import Library
from sarcolit.core.models import Document, TrialRecord
from sarcolit.core.store import chroma_client
from sarcolit.extraction import extract_document
from sarcolit.record_store import FILE, RecordStore, StoredRecords, extractor_version
from sarcolit.retrieval import open_index
from tests.conftest import CORPUS, make_settings

pytestmark = pytest.mark.slow
PAPER = CORPUS / "literature" / "a-a091401-lancet-oncol-2018.txt"
ABSTRACT = CORPUS / "literature" / "b-sinanlosarc-esmo-2024.txt"


def open_library(data: Path, embedder: Embeddings) -> Library:
    settings = make_settings(data)
    client = chroma_client(settings.store)
    return Library(settings, client, embedder, open_index(client, settings, embedder))


def stored(data: Path) -> dict[str, StoredRecords]:
    path = data / "records" / FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [StoredRecords.model_validate_json(line) for line in lines]
    return {row.doc_id: row for row in rows}


def test_ingest_extracts_records_and_a_changed_file_replaces_them(
    tmp_path: Path, embedder: Embeddings
) -> None:
    paper = tmp_path / PAPER.name
    shutil.copy(PAPER, paper)
    library = open_library(tmp_path / "data", embedder)
    library.ingest([paper, ABSTRACT])
    first = stored(tmp_path / "data")
    assert set(first) == {d.id for d in library.documents()}
    assert any(r.interventions for row in first.values() for r in row.records)

    paper.write_text(
        paper.read_text(encoding="utf-8") + "\nA correction was published later.\n",
        encoding="utf-8",
    )
    library.ingest([paper])
    second = stored(tmp_path / "data")
    ids = {d.id for d in library.documents()}
    assert set(second) == ids
    assert len(ids & set(first)) == 1  # the abstract kept; the paper replaced
    merged = library.records()
    assert {i.name for r in merged for i in r.interventions} >= {
        "ipilimumab",
        "nivolumab",
        "sintilimab",
    }


def test_another_process_ingest_is_caught_up(
    tmp_path: Path, embedder: Embeddings
) -> None:
    writer = open_library(tmp_path / "data", embedder)
    writer.ingest([ABSTRACT])
    reader = open_library(tmp_path / "data", embedder)
    writer.ingest([PAPER])  # the reader's store changed under it
    reader.index.refresh()
    assert len({d for r in reader.records() for d in r.doc_ids}) == 2


def test_records_from_older_extraction_code_are_extracted_again(
    tmp_path: Path, embedder: Embeddings
) -> None:
    library = open_library(tmp_path / "data", embedder)
    library.ingest([ABSTRACT])
    path = tmp_path / "data" / "records" / FILE
    old = stored(tmp_path / "data")
    stale = [
        row.model_copy(update={"extractor": "rules:older"}) for row in old.values()
    ]
    path.write_text("".join(r.model_dump_json() + "\n" for r in stale), "utf-8")
    store = RecordStore(path.parent)
    version = extractor_version(library.vocabulary.digest)

    def extract(document: Document) -> list[TrialRecord]:
        return list(extract_document(document, None, library.vocabulary).records)

    assert store.sync(old, library.get_documents, extract, version)
    assert {row.extractor for row in stored(tmp_path / "data").values()} != {
        "rules:older"
    }
    assert not store.sync(old, library.get_documents, extract, version)  # current
