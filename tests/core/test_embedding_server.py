"""openai:MODEL against a real OpenAI-compatible embeddings server on loopback.

The server is llama.cpp's (llama-cpp-python's ``llama_cpp.server`` in embedding
mode) serving the bundled all-MiniLM-L6-v2, converted to GGUF in the test.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from sarcolit.core.embedding import embed_texts, embedder, vector_space
from sarcolit.core.errors import BackendUnavailable
from sarcolit.core.onnx_model import bundled_model
from sarcolit.core.settings import EmbedderSettings, Settings, StoreSettings
from sarcolit.ingest import EmbedderRecord, stored_record
from sarcolit.library import Library
from tests.conftest import CORPUS
from tests.core.minilm_gguf import write_minilm_gguf
from tests.core.test_llm import free_port

pytestmark = pytest.mark.server
MODEL = "all-MiniLM-L6-v2"
SPEC = f"openai:{MODEL}"
TRIALS = CORPUS / "trials"


@pytest.fixture(scope="module")
def gguf_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gguf")
    return write_minilm_gguf(bundled_model(), folder / "all-minilm-l6-v2.f32.gguf")


@contextmanager
def embeddings_server(model: Path, log: Path) -> Iterator[str]:
    """Run llama.cpp's OpenAI-compatible server in embedding mode until the end."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--model_alias",
                MODEL,
                "--embedding",
                "true",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "512",
                "--n_batch",
                "512",
                "--n_ubatch",
                "512",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/models", timeout=2):
                        break
                except (urllib.error.URLError, OSError):
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(log.read_text()[-2000:]) from None
                    time.sleep(0.5)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture(scope="module")
def server_url(
    gguf_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("server") / "llama-server.log"
    with embeddings_server(gguf_model, log) as url:
        yield url


def _settings(url: str, data: Path | None = None) -> Settings:
    store = StoreSettings(path=data) if data else StoreSettings()
    return Settings(store=store, embedder=EmbedderSettings(spec=SPEC, base_url=url))


def test_server_vectors_match_the_bundled_model(server_url: str) -> None:
    texts = [
        "What was the ORR in SARC028?",
        "Pembrolizumab gave an objective response rate of 18% in SARC028.",
        "NY-ESO-1 specific TCR-T cells in synovial sarcoma",
    ]
    served = embedder(SPEC, _settings(server_url))

    vectors = embed_texts(served, texts)

    local = embed_texts(embedder("st:"), texts)
    assert ((vectors * local).sum(axis=1) > 0.999).all()
    assert vector_space(served) == SPEC  # its own space: the server could be any


def test_library_ingests_and_answers_through_the_server(
    server_url: str, tmp_path: Path
) -> None:
    library = Library.open(settings=_settings(server_url, tmp_path / "data"))

    report = library.ingest([TRIALS])
    answer = library.ask(
        "How many patients were treated with pembrolizumab in SARC028?"
    )

    assert report.count("added") == len(report.outcomes) > 1
    assert stored_record(library.index.cols) == EmbedderRecord(SPEC, SPEC)
    assert "84 patients" in answer.answer
    assert "SARC028" in answer.citations[0].title


def test_reindex_moves_a_store_onto_the_server(server_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    local = Library.open(data, embedder="onnx:")
    local.ingest([TRIALS])
    before = [h.chunk.id for h in local.search("PD-L1 expression", 5)]

    served = Library.reindexed(SPEC, settings=_settings(server_url, data))

    after = [h.chunk.id for h in served.search("PD-L1 expression", 5)]
    assert len(after) == 5
    assert after[0] == before[0]  # the same model behind the server
    assert stored_record(served.index.cols) is not None
    vectors = served.index.cols.chunks.get(include=["embeddings"], limit=3)
    norms = np.linalg.norm(np.asarray(vectors["embeddings"]), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-5)


def test_no_server_is_a_one_line_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(BackendUnavailable, match=f"cannot reach .*{url}") as caught:
        embedder(SPEC, _settings(url))
    assert "\n" not in str(caught.value)


def test_server_lost_mid_ingest_is_a_one_line_error(
    gguf_model: Path, tmp_path: Path
) -> None:
    with embeddings_server(gguf_model, tmp_path / "server.log") as url:
        library = Library.open(settings=_settings(url, tmp_path / "data"))
    with pytest.raises(BackendUnavailable, match="cannot reach the embeddings"):
        library.ingest([TRIALS])
    assert library.documents() == []
