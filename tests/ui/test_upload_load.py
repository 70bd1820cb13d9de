"""A web upload runs beside chat and API requests, which do not wait for it."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from sarcolit.core.store import chroma_client
from sarcolit.ingest import ingest_paths, open_collections
from sarcolit.library import Library
from sarcolit.retrieval import open_index
from sarcolit.ui.app import create_app
from tests.conftest import REVIEW, make_settings
from tests.library.test_concurrency import trial_text
from tests.ui.conftest import LiveServer
from tests.ui.test_guard import call_event, file_data, serving, upload

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

pytestmark = pytest.mark.slow
QUESTION = {"question": "What was the objective response rate in SARC028?"}


@pytest.mark.timeout(900)
def test_api_ask_p95_stays_under_a_second_during_an_upload(
    tmp_path: Path, embedder: Embeddings
) -> None:
    settings = make_settings(tmp_path / "data")
    client = chroma_client(settings.store)
    cols = open_collections(client, settings.store)
    assert not ingest_paths([REVIEW], cols, embedder, settings.ingest).failed
    library = Library(
        settings, client, embedder, open_index(client, settings, embedder)
    )
    big = tmp_path / "KAPPA-big-report.txt"
    big.write_text(trial_text("KAPPA-3", 600), encoding="utf-8")  # ~300 KB
    with serving(create_app(library, work_dir=tmp_path / "work")) as url:
        server = LiveServer(url=url, app=None)  # type: ignore[arg-type]
        saved = upload(server, big)
        result: list[str] = []
        ingest = threading.Thread(
            target=lambda: result.append(
                call_event(server, "ingest_uploads", [[file_data(saved)]])
            )
        )
        seconds: list[float] = []
        with httpx.Client(base_url=url, timeout=120) as http:
            assert http.post("/api/ask", json=QUESTION).status_code == 200
            started = time.monotonic()
            ingest.start()
            while ingest.is_alive():
                before = time.perf_counter()
                response = http.post("/api/ask", json=QUESTION)
                seconds.append(time.perf_counter() - before)
                assert response.status_code == 200
                assert "18%" in response.json()["answer"]
            took = time.monotonic() - started
        ingest.join()
        hits = library.search("KAPPA-3 cohort 7 objective response rate", k=3)
    p95 = statistics.quantiles(seconds, n=20)[-1]
    print(
        f"upload ingest {took:.1f} s; {len(seconds)} asks meanwhile: "
        f"median {statistics.median(seconds):.3f} s, p95 {p95:.3f} s, "
        f"max {max(seconds):.3f} s"
    )
    assert "event: complete" in result[0]
    assert "KAPPA-3" in hits[0].chunk.text
    assert len(seconds) >= 20
    assert p95 < 1.0
