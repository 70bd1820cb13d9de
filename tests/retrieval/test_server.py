"""The scale-out path: the same ingest and search against a real Chroma server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sarcolit.core.errors import BackendUnavailable
from sarcolit.core.settings import StoreSettings
from sarcolit.core.store import chroma_client
from sarcolit.ingest import ingest_paths, open_collections
from sarcolit.retrieval import Filters, answer_question, open_index
from tests.conftest import REVIEW, make_settings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

pytestmark = pytest.mark.server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def chroma_server(data: Path, port: int) -> Iterator[str]:
    """Run `chroma run` on loopback over ``data`` until the block ends."""
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    log = (data / "server.log").open("a")
    server = subprocess.Popen(
        [
            chroma,
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--path",
            str(data),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                chroma_client(StoreSettings(url=url, path=data / "client"))
                break
            except BackendUnavailable:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server"), free_port()) as url:
        yield url


def test_ingest_search_and_ask_against_a_chroma_server(
    chroma_url: str, tmp_path: Path, embedder: Embeddings
) -> None:
    settings = make_settings(tmp_path / "data", url=chroma_url)
    client = chroma_client(settings.store)
    cols = open_collections(client, settings.store)

    first = ingest_paths([REVIEW], cols, embedder, settings.ingest)
    again = ingest_paths([REVIEW], cols, embedder, settings.ingest)
    index = open_index(client, settings, embedder)

    assert [o.status for o in first.outcomes] == ["added"]
    assert [o.status for o in again.outcomes] == ["unchanged"]
    assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded locally
    hits = index.search(
        "SARC028 pembrolizumab", k=5, filters=Filters.parse(trials=["SARC028"])
    )
    assert hits
    assert all("SARC028" in h.chunk.tags.trials for h in hits)
    answer = answer_question(
        "What was the objective response rate in SARC028?", index, settings
    )
    assert any("18%" in c.quote for c in answer.citations)


def test_bm25_side_follows_another_clients_ingest(
    chroma_url: str, tmp_path: Path, embedder: Embeddings
) -> None:
    settings = make_settings(tmp_path / "data", url=chroma_url).model_copy(
        update={
            "store": StoreSettings(
                url=chroma_url, path=tmp_path / "d", collection="other"
            )
        }
    )
    client = chroma_client(settings.store)
    before = open_index(client, settings, embedder)
    assert before.chunks == []

    # Another process (here: another client) ingests into the same server.
    other = open_collections(chroma_client(settings.store), settings.store)
    ingest_paths([REVIEW], other, embedder, settings.ingest)

    after = open_index(client, settings, embedder)
    assert len(after.chunks) == other.chunks.count() > 0


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(BackendUnavailable, match="no Chroma server answers at"):
        chroma_client(StoreSettings(url=url, path=tmp_path))


def test_server_lost_mid_batch_keeps_what_was_stored(
    tmp_path: Path, embedder: Embeddings
) -> None:
    first = tmp_path / "first.md"
    first.write_text("# First\n\nPembrolizumab gave an ORR of 18% in SARC028.\n")
    second = tmp_path / "second.md"
    second.write_text("# Second\n\nAtezolizumab gave an ORR of 37% in ASPS.\n")
    data, port = tmp_path / "server", free_port()
    data.mkdir()
    with chroma_server(data, port) as url:
        settings = make_settings(tmp_path / "local", url=url)
        cols = open_collections(chroma_client(settings.store), settings.store)
        ingest_paths([first], cols, embedder, settings.ingest)
    # The server is gone: the next file fails with a clear error, not a traceback.
    with pytest.raises(BackendUnavailable, match="vector store failed"):
        ingest_paths([second], cols, embedder, settings.ingest)

    with chroma_server(data, port) as url:
        client = chroma_client(settings.store)
        index = open_index(client, settings, embedder)
        assert [d.source for d in index.documents()] == [str(first)]
        assert index.search("SARC028 pembrolizumab", k=3)
