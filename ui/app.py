"""The web app: a Gradio Blocks UI and the HTTP API, served from one process.

The session (store, embedder, index) is opened once per server process and
shared by every browser tab and API request.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import gradio as gr
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from sarcolit.library import Library
from sarcolit.ui.api import api_router, validation_error
from sarcolit.ui.app_chat import build_chat, document_choices
from sarcolit.ui.app_evals import build_evals
from sarcolit.ui.app_extract import build_extract
from sarcolit.ui.app_library import build_library, library_rows
from sarcolit.ui.app_state import UPLOAD_MAX_BYTES, AppState, upload_folder
from sarcolit.ui.evidence_table import EVIDENCE_SCRIPT, TABLE_CSS
from sarcolit.ui.guard import RequestGuard

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860

CSS = (
    """
#sources .source, #evidence-box .evidence {
  border-left: 3px solid #c9a227; padding: 6px 10px; margin: 8px 0;
  background: var(--block-background-fill); scroll-margin-top: 8px;
}
/* The sources panel scrolls on its own and stays beside the answers. */
#sources-column { position: sticky; top: 8px; align-self: flex-start; }
#sources { max-height: 80vh; overflow-y: auto !important; }
.source-meta { font-weight: 600; font-size: 0.92em; margin-bottom: 4px; }
.source-text { margin: 0; line-height: 1.5; }
/* Context around a quote: #4b5563 on white is 7.6:1 (WCAG AA needs 4.5:1). */
.ctx { color: #4b5563; }
.dark .ctx { color: #d1d5db; }
mark.quote { background: #ffe58a; color: #1f1f1f; padding: 0 1px; }
.source.flash { outline: 3px solid #e07b00; }
.turn-q { margin: 12px 0 4px; }
.refusal { border-left: 4px solid #c0392b; padding-left: 8px; }
a.cite { text-decoration: none; font-weight: 600; cursor: pointer; }
.related-head { margin: 8px 0 2px; font-style: italic; }
.empty, .status { color: #4b5563; }
.dark .empty, .dark .status { color: #d1d5db; }
.synthesis-table { overflow-x: auto; margin-top: 8px; }
.synthesis-table table { border-collapse: collapse; font-size: 0.9em; }
.synthesis-table th, .synthesis-table td {
  border: 1px solid #d1d5db; padding: 3px 6px; text-align: left; vertical-align: top;
}
"""
    + TABLE_CSS
)

# Clicking an [n] marker scrolls the sources panel (never the page) to its
# cited passage and flashes it.
HEAD = (
    """
<script>
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.cite");
  if (!link) { return; }
  event.preventDefault();
  event.stopPropagation();
  var id = link.getAttribute("data-src") ||
    (link.getAttribute("href") || "").replace(/^#/, "");
  var target = document.getElementById(id);
  if (!target) { return; }
  var panel = target.closest("#sources");
  if (panel) {
    var offset = target.getBoundingClientRect().top -
      panel.getBoundingClientRect().top;
    panel.scrollTop += offset - 8;
  }
  target.classList.add("flash");
  setTimeout(function () { target.classList.remove("flash"); }, 2000);
}, true);
</script>
"""
    + EVIDENCE_SCRIPT
)

# System fonts only: the page must not fetch anything from outside the server.
THEME = gr.themes.Soft(
    font=("ui-sans-serif", "system-ui", "sans-serif"),
    font_mono=("ui-monospace", "monospace"),
)

INTRO = (
    "# sarcolit\n"
    "Cited answers and trial records from the sarcoma immunotherapy literature. "
    "Ask in **Chat**; add papers in **Library**; pull trial results into a table "
    "in **Extraction**; measure quality in **Evals**."
)


def build_blocks(state: AppState) -> gr.Blocks:
    """Return the Gradio Blocks app bound to ``state``."""
    blocks = gr.Blocks(title="sarcolit", analytics_enabled=False)
    with blocks:
        gr.Markdown(INTRO)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat-tab"):
                chat = build_chat(state)
            with gr.Tab("Library", id="library-tab"):
                library = build_library(state)
            with gr.Tab("Extraction", id="extraction-tab"):
                extract = build_extract(state)
            with gr.Tab("Evals", id="evals-tab"):
                build_evals(state)

        def refresh() -> tuple[object, object, object]:
            choices = document_choices(state)
            return (
                gr.Dropdown(choices=choices),
                gr.Dropdown(choices=choices),
                library_rows(state),
            )

        pickers = [chat.documents, extract.documents, library.table]
        blocks.load(refresh, None, pickers)
        library.ingested.then(refresh, None, pickers)

        def forget(request: gr.Request) -> None:
            state.forget(request.session_hash)

        blocks.unload(forget)
    return blocks


def _in_event_loop(build: Callable[[], None]) -> None:
    """Run ``build`` inside a running event loop.

    Gradio creates a new event loop for every lock it makes while no loop is
    running and never closes it; building inside one loop leaks none.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:

        async def run() -> None:
            build()

        asyncio.run(run())
    else:
        build()


def create_app(library: Library, work_dir: Path | None = None) -> FastAPI:
    """Return the HTTP API with the Gradio UI at ``/``, both over ``library``.

    Args:
        library: The open library; its LLM spec picks the answerer.
        work_dir: Scratch folder for uploads and outputs (default: a new temp
            folder, deleted when the server stops).
    """
    owned = work_dir is None
    scratch = work_dir or Path(tempfile.mkdtemp(prefix="sarcolit-web-"))
    state = AppState(library, scratch)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            shutil.rmtree(scratch, ignore_errors=True)

    app = FastAPI(title="sarcolit", lifespan=lifespan)
    app.add_middleware(RequestGuard, upload_dir=upload_folder)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.include_router(api_router(state))
    app.state.sarcolit = state

    def mount() -> None:
        gr.mount_gradio_app(
            app,
            build_blocks(state),
            path="/",
            footer_links=["api"],
            run_history=False,
            max_file_size=UPLOAD_MAX_BYTES,
            ssr_mode=False,
            css=CSS,
            head=HEAD,
            theme=THEME,
        )

    _in_event_loop(mount)
    return app


def serve(library: Library, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the web app and the HTTP API until interrupted (loopback by default)."""
    import uvicorn

    uvicorn.run(create_app(library), host=host, port=port, log_level="warning")
