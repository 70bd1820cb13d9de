"""Hostile and clumsy HTTP clients: file paths, body sizes, bad text, error codes."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import uvicorn

from sarcolit.core.store import chroma_client
from sarcolit.library import Library
from sarcolit.retrieval import open_index
from sarcolit.ui.app import create_app
from sarcolit.ui.app_state import upload_folder
from tests.conftest import ROOT, make_settings
from tests.retrieval.test_server import chroma_server, free_port
from tests.ui.conftest import LiveServer

if TYPE_CHECKING:
    from fastapi import FastAPI
    from langchain_core.embeddings import Embeddings

pytestmark = pytest.mark.slow
SARC028 = ROOT / "corpus" / "trials" / "sarc028-pembrolizumab.md"


def file_data(path: str | Path) -> dict[str, object]:
    return {
        "path": str(path),
        "orig_name": Path(path).name,
        "meta": {"_type": "gradio.FileData"},
    }


def fn_index(server: LiveServer, api_name: str) -> int:
    config = httpx.get(server.url + "/config", timeout=30).json()
    for number, dependency in enumerate(config["dependencies"]):
        if dependency.get("api_name") == api_name:
            return int(dependency.get("id", number))
    raise AssertionError(f"no event {api_name}")


def call_event(server: LiveServer, api_name: str, data: list[object]) -> str:
    """Run a Gradio event through its REST route; return the final SSE message."""
    started = httpx.post(
        f"{server.url}/gradio_api/call/{api_name}", json={"data": data}, timeout=30
    )
    assert started.status_code == 200, started.text
    event_id = started.json()["event_id"]
    with httpx.stream(
        "GET", f"{server.url}/gradio_api/call/{api_name}/{event_id}", timeout=300
    ) as stream:
        lines = list(stream.iter_lines())
    return "\n".join(lines)


def upload(server: LiveServer, path: Path) -> str:
    with path.open("rb") as handle:
        response = httpx.post(
            server.url + "/gradio_api/upload",
            files=[("files", (path.name, handle))],
            timeout=60,
        )
    assert response.status_code == 200, response.text
    (saved,) = response.json()
    return str(saved)


@pytest.mark.parametrize("target", ["/etc/hostname", str(ROOT / "README.md")])
@pytest.mark.parametrize("api_name", ["ingest_uploads", "extract_uploads"])
def test_an_event_naming_a_server_file_is_refused(
    live_server: LiveServer, target: str, api_name: str
) -> None:
    data: list[object] = (
        [[file_data(target)]]
        if api_name == "ingest_uploads"
        else [[], [file_data(target)]]
    )
    rest = httpx.post(
        f"{live_server.url}/gradio_api/call/{api_name}", json={"data": data}, timeout=30
    )
    queued = httpx.post(
        f"{live_server.url}/gradio_api/queue/join",
        json={
            "data": data,
            "fn_index": fn_index(live_server, api_name),
            "session_hash": uuid.uuid4().hex,
            "event_data": None,
            "trigger_id": None,
        },
        timeout=30,
    )
    assert (rest.status_code, queued.status_code) == (400, 400)
    assert target not in rest.text
    sources = {d.source for d in live_server.state.documents()}
    assert not any(Path(s).name in {"hostname", "README.md"} for s in sources)


def test_a_link_in_the_upload_folder_to_a_server_file_is_refused(
    live_server: LiveServer,
) -> None:
    folder = upload_folder() / f"sarcolit-test-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    link = folder / "notes.md"
    link.symlink_to(ROOT / "README.md")
    try:
        response = httpx.post(
            f"{live_server.url}/gradio_api/call/ingest_uploads",
            json={"data": [[file_data(link)]]},
            timeout=30,
        )
    finally:
        link.unlink()
        folder.rmdir()
    assert response.status_code == 400


def test_a_real_upload_is_still_ingested(live_server: LiveServer) -> None:
    saved = upload(live_server, SARC028)
    result = call_event(live_server, "ingest_uploads", [[file_data(saved)]])
    assert "event: complete" in result
    assert SARC028.name in result
    assert any(d.title.startswith("SARC028") for d in live_server.state.documents())


def test_a_corrupt_pdf_upload_fails_alone(
    live_server: LiveServer, tmp_path: Path
) -> None:
    from tests.conftest import CORPUS
    from tests.ingest.test_fuzz import _pdf_with_cycle

    cyclic = tmp_path / "cycle.pdf"
    _pdf_with_cycle(next(CORPUS.rglob("*.pdf")), cyclic)
    good = tmp_path / "lambda-note.txt"
    good.write_text("The LAMBDA-2 note reports an ORR of 12% with nivolumab.\n")
    files = [
        file_data(upload(live_server, cyclic)),
        file_data(upload(live_server, good)),
    ]
    result = call_event(live_server, "ingest_uploads", [files])
    assert '["cycle.pdf", "failed", 0, "cannot read the PDF' in result
    assert "cycle in page tree" in result
    assert '["lambda-note.txt", "added"' in result
    assert any(
        d.source.endswith("lambda-note.txt") for d in live_server.state.documents()
    )


def test_an_api_body_over_the_limit_is_a_413(live_server: LiveServer) -> None:
    body = json.dumps({"question": "x" * 2_000_000})
    response = httpx.post(
        live_server.url + "/api/ask",
        content=body,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413
    assert len(response.content) < 200


def test_validation_errors_do_not_echo_the_input(live_server: LiveServer) -> None:
    marker = "ECHO-" + "y" * 5000
    response = httpx.post(
        live_server.url + "/api/ask", json={"question": marker}, timeout=60
    )
    assert response.status_code == 422
    assert "ECHO-" not in response.text
    assert response.json()["detail"][0]["loc"] == ["body", "question"]
    broken = httpx.post(
        live_server.url + "/api/search",
        content=b'{"query": "ECHO-broken json',
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert broken.status_code == 422
    assert "ECHO-" not in broken.text


def _raw(port: int, requests: list[bytes]) -> list[bytes]:
    """Send requests one after another on one keep-alive connection."""
    replies = []
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        for request in requests:
            sock.sendall(request)
            reply = b""
            while b"\r\n\r\n" not in reply:
                reply += sock.recv(65536)
            head, _, body = reply.partition(b"\r\n\r\n")
            length = int(
                next(
                    line.split(b":")[1]
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
            )
            while len(body) < length:
                body += sock.recv(65536)
            replies.append(head.split(b"\r\n")[0])
    return replies


def _post(path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def test_bad_input_gets_a_4xx_and_the_connection_stays_open(
    live_server: LiveServer,
) -> None:
    port = int(live_server.url.rsplit(":", 1)[1])
    surrogate = b'{"question": "What was the ORR \\ud800 in SARC028?"}'
    repeated = json.dumps({"doc_ids": [live_server.hostile_doc] * 2}).encode()
    good = json.dumps({"question": "What was the ORR in SARC028?"}).encode()
    statuses = _raw(
        port,
        [
            _post("/api/ask", surrogate),
            _post("/api/extract", repeated),
            _post("/api/ask", good),
        ],
    )
    assert statuses == [
        b"HTTP/1.1 422 Unprocessable Entity",
        b"HTTP/1.1 422 Unprocessable Entity",
        b"HTTP/1.1 200 OK",
    ]


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.mark.server
def test_documents_while_the_chroma_server_is_down_is_a_503(
    tmp_path: Path, embedder: Embeddings
) -> None:
    (tmp_path / "chroma").mkdir()
    with chroma_server(tmp_path / "chroma", free_port()) as url:
        settings = make_settings(tmp_path / "data", url=url)
        client = chroma_client(settings.store)
        library = Library(
            settings, client, embedder, open_index(client, settings, embedder)
        )
        app = create_app(library, work_dir=tmp_path / "work")
    with serving(app) as base:
        response = httpx.get(base + "/api/documents", timeout=60)
        assert response.status_code == 503
        assert "Chroma server" in response.json()["detail"]
        again = httpx.get(base + "/api/documents", timeout=60)
        assert again.status_code == 503
