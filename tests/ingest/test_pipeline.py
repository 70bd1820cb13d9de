from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sarcolit.core.embedding import embed_texts
from sarcolit.core.settings import Settings
from sarcolit.core.store import chroma_client
from sarcolit.ingest import (
    Collections,
    claim_store,
    expand_paths,
    ingest_paths,
    open_collections,
)
from sarcolit.ingest.catalog import get_documents, list_documents
from sarcolit.ingest.chunking import chunk_document
from sarcolit.ingest.pipeline import sweep_incomplete, write_document
from sarcolit.ingest.readers import read_document
from sarcolit.retrieval import open_index

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

TRIAL = (
    "Pembrolizumab in advanced sarcoma\n\n"
    "Methods\n\n"
    "Eighty-four patients with soft-tissue sarcoma received pembrolizumab in the "
    "phase II SARC028 study.\n\n"
    "Results\n\n"
    "The objective response rate was 18%. Patients with UPS responded in 40% of "
    "cases.\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_is_idempotent(
    tmp_path: Path, cols: Collections, embedder: Embeddings, settings: Settings
) -> None:
    trial = write(tmp_path / "trial.txt", TRIAL)
    first = ingest_paths([trial], cols, embedder, settings.ingest)
    n_chunks = cols.chunks.count()
    second = ingest_paths([trial], cols, embedder, settings.ingest)

    assert [o.status for o in first.outcomes] == ["added"]
    assert [o.status for o in second.outcomes] == ["unchanged"]
    assert second.chunks_written == 0
    assert cols.chunks.count() == n_chunks > 0
    assert cols.docs.count() == 1


def test_changed_file_replaces_its_chunks(
    tmp_path: Path, cols: Collections, embedder: Embeddings, settings: Settings
) -> None:
    trial = write(tmp_path / "trial.txt", TRIAL)
    ingest_paths([trial], cols, embedder, settings.ingest)
    old_ids = set(cols.chunks.get(include=[])["ids"])

    write(trial, TRIAL.replace("18%", "19%"))
    report = ingest_paths([trial], cols, embedder, settings.ingest)

    assert [o.status for o in report.outcomes] == ["replaced"]
    docs = get_documents(cols)
    assert len(docs) == 1
    assert "19%" in docs[0].text
    assert "18%" not in docs[0].text
    assert not old_ids & set(cols.chunks.get(include=[])["ids"])
    texts = cols.chunks.get(include=["documents"])["documents"] or []
    assert not any("18%" in t for t in texts)


def test_bad_files_are_reported_and_the_rest_go_on(
    tmp_path: Path, cols: Collections, embedder: Embeddings, settings: Settings
) -> None:
    good = write(tmp_path / "good.txt", TRIAL)
    empty = write(tmp_path / "empty.txt", "")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02 binary \x00")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9 sarcoma".encode("latin-1"))
    broken_pdf = tmp_path / "broken.pdf"
    broken_pdf.write_bytes(b"%PDF-1.7 this is not really a pdf")
    unknown = write(tmp_path / "notes.docx", "text")
    missing = tmp_path / "missing.txt"

    report = ingest_paths(
        [empty, binary, good, latin, broken_pdf, unknown, missing],
        cols,
        embedder,
        settings.ingest,
    )

    status = {o.path.name: o.status for o in report.outcomes}
    assert status.pop("good.txt") == "added"
    assert set(status) == {
        "empty.txt",
        "blob.txt",
        "latin.txt",
        "broken.pdf",
        "notes.docx",
        "missing.txt",
    }
    assert set(status.values()) == {"failed"}
    reasons = {o.path.name: o.reason for o in report.failed}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["blob.txt"]
    assert "UTF-8" in reasons["latin.txt"]
    assert ".txt" in reasons["notes.docx"]
    assert all(reason and "\n" not in reason for reason in reasons.values())
    assert [d.source for d in list_documents(cols)] == [str(good)]


def test_size_limit_is_a_setting(
    tmp_path: Path, cols: Collections, embedder: Embeddings
) -> None:
    small = Settings().ingest.model_copy(update={"max_bytes": 50})
    trial = write(tmp_path / "trial.txt", TRIAL)

    report = ingest_paths([trial], cols, embedder, small)

    assert "50" in report.failed[0].reason
    assert cols.docs.count() == 0


def test_half_written_document_is_never_searched_and_is_swept(
    tmp_path: Path, settings: Settings, embedder: Embeddings
) -> None:
    client = chroma_client(settings.store)
    cols = open_collections(client, settings.store)
    doc = read_document(write(tmp_path / "trial.txt", TRIAL), max_bytes=10**6)
    chunks = chunk_document(doc, settings.ingest.chunk_tokens)
    claim_store(cols, embedder)  # as ingest_paths does before its first write
    write_document(cols, doc, chunks, embed_texts(embedder, [c.text for c in chunks]))
    # A crash after the chunks were written but before the document was complete.
    meta = dict(
        (cols.docs.get(ids=[doc.id], include=["metadatas"])["metadatas"] or [])[0]
    )
    meta["complete"] = False
    meta["lease"] = time.time() - 1  # the writer stopped renewing it
    cols.docs.update(ids=[doc.id], metadatas=[meta])

    index = open_index(client, settings, embedder)
    assert index.search("objective response rate SARC028") == []
    assert sweep_incomplete(cols) == 1
    assert cols.chunks.count() == 0
    assert cols.docs.count() == 0


def _half_written(settings: Settings, embedder: Embeddings, tmp: Path) -> str:
    cols = open_collections(chroma_client(settings.store), settings.store)
    doc = read_document(write(tmp / "trial.txt", TRIAL), max_bytes=10**6)
    chunks = chunk_document(doc, settings.ingest.chunk_tokens)
    claim_store(cols, embedder)
    write_document(cols, doc, chunks, embed_texts(embedder, [c.text for c in chunks]))
    cols.docs.update(ids=[doc.id], metadatas=[{"complete": False}])
    return doc.id


def test_a_live_writers_half_written_document_is_not_swept(
    tmp_path: Path, settings: Settings, embedder: Embeddings
) -> None:
    doc_id = _half_written(settings, embedder, tmp_path)
    cols = open_collections(chroma_client(settings.store), settings.store)
    # Another process on this host, still running, holds a live lease.
    writer = f"{socket.gethostname()}:{os.getppid()}:other"
    lease = time.time() + 60
    cols.docs.update(ids=[doc_id], metadatas=[{"writer": writer, "lease": lease}])
    assert sweep_incomplete(cols) == 0
    assert cols.docs.count() == 1


def test_a_killed_writers_half_written_document_is_swept_at_once(
    tmp_path: Path, settings: Settings, embedder: Embeddings
) -> None:
    doc_id = _half_written(settings, embedder, tmp_path)
    cols = open_collections(chroma_client(settings.store), settings.store)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    writer = f"{socket.gethostname()}:{dead.pid}:gone"
    lease = time.time() + 60
    cols.docs.update(ids=[doc_id], metadatas=[{"writer": writer, "lease": lease}])
    assert sweep_incomplete(cols) == 1
    assert cols.chunks.count() == 0


def test_folders_skip_sidecars_hidden_and_unknown_files(tmp_path: Path) -> None:
    (tmp_path / ".hidden").mkdir()
    write(tmp_path / ".hidden" / "x.txt", TRIAL)
    write(tmp_path / "a.md", TRIAL)
    write(tmp_path / "a.meta.json", "{}")
    write(tmp_path / "tool.py", "print(1)")

    assert expand_paths([tmp_path]) == [tmp_path / "a.md"]
