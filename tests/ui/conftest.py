"""A live sarcolit server on loopback over a temp store, and Debian chromium."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from fastapi import FastAPI

from sarcolit.core.settings import Settings
from sarcolit.core.store import chroma_client
from sarcolit.ingest import ingest_paths, open_collections
from sarcolit.library import Library
from sarcolit.retrieval import open_index
from sarcolit.ui.app import create_app
from sarcolit.ui.app_state import AppState
from tests.conftest import CORPUS, REVIEW, ROOT, make_settings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from playwright.sync_api import Browser, Page

# Two cell-therapy trial reports, for answers across trials (comparisons,
# follow-ups) that the review alone cannot give.
TRIAL_REPORTS = (
    CORPUS / "literature" / "a-spearhead1-lancet-2024.nxml",
    CORPUS / "literature" / "b-ignyte-eso-asco-2024.txt",
)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
HOSTILE_TEXT = """Hostile rendering note on pembrolizumab

This note names pembrolizumab to test rendering. <script>window.__pwned = 1</script>
The script tag before this sentence must show as text.

An image that calls out: ![pixel](http://127.0.0.1:9/pixel.png) and a link
[click here](http://127.0.0.1:9/steal), raw <img src=x onerror="window.__pwned=2">
markup and a template ${window.__pwned=3} with pembrolizumab again.
"""


@dataclass
class LiveServer:
    """A running server: its address, app and shared state."""

    url: str
    app: FastAPI
    hostile_doc: str = ""
    shots: Path = field(default_factory=Path)

    @property
    def state(self) -> AppState:
        """The server's state: its one open library and scratch folder."""
        state = self.app.state.sarcolit
        assert isinstance(state, AppState)
        return state


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def ui_settings(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embeddings
) -> Settings:
    """A store holding the seed review, two trial reports and hostile markup."""
    root = tmp_path_factory.mktemp("ui-store")
    hostile = root / "hostile-note.txt"
    hostile.write_text(HOSTILE_TEXT, encoding="utf-8")
    settings = make_settings(root / "data")
    cols = open_collections(chroma_client(settings.store), settings.store)
    report = ingest_paths(
        [REVIEW, hostile, *TRIAL_REPORTS], cols, embedder, settings.ingest
    )
    assert not report.failed, report.failed
    return settings


@pytest.fixture(scope="session")
def live_server(
    ui_settings: Settings,
    embedder: Embeddings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """The web app and HTTP API served by uvicorn in a thread on 127.0.0.1."""
    client = chroma_client(ui_settings.store)
    library = Library(
        ui_settings, client, embedder, open_index(client, ui_settings, embedder)
    )
    app = create_app(library, work_dir=tmp_path_factory.mktemp("ui-work"))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive(), "the server thread died on start"
        assert time.monotonic() < deadline, "the server did not start in 60 s"
        time.sleep(0.05)
    live = LiveServer(
        url=f"http://127.0.0.1:{port}",
        app=app,
        shots=tmp_path_factory.mktemp("screenshots"),
    )
    hostile = [
        d for d in live.state.documents() if d.source.endswith("hostile-note.txt")
    ]
    live.hostile_doc = hostile[0].id
    yield live
    server.should_exit = True
    thread.join(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, with background networking off."""
    if not CHROMIUM.exists():
        pytest.fail("chromium is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class BrowserPage:
    """A page on the live server, recording requests that leave it."""

    page: Page
    server: LiveServer
    outside: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        """Save a full-page screenshot; copy it to test-artifacts/ at the root."""
        path = self.server.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(path, ARTIFACTS / path.name)
        return path

    def open_tab(self, name: str) -> None:
        """Switch to one of the app's tabs."""
        self.page.get_by_role("tab", name=name).click()


@pytest.fixture
def ui(browser: Browser, live_server: LiveServer) -> Iterator[BrowserPage]:
    """A fresh browser context on the app, its question box ready."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    wrapped = BrowserPage(page, live_server)

    def note(request: object) -> None:
        url = str(getattr(request, "url", ""))
        if not url.startswith((live_server.url, "data:", "blob:")):
            wrapped.outside.append(url)

    page.on("request", note)
    page.goto(live_server.url + "/")
    page.wait_for_selector("#question textarea")
    yield wrapped
    context.close()
