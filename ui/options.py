"""Options and error handling shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from sarcolit.core.errors import SarcolitError

if TYPE_CHECKING:
    from sarcolit.core.settings import Settings
    from sarcolit.library import Library

err = Console(stderr=True, soft_wrap=True, highlight=False)

StoreUrl = Annotated[
    str | None,
    typer.Option(
        "--store-url",
        help="Chroma server, e.g. http://127.0.0.1:8000 (default: embedded store).",
    ),
]
DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: .sarcolit)."),
]


LlmSpec = Annotated[
    str | None,
    typer.Option(
        "--llm",
        help="none (no LLM), local[:PATH.gguf], openai:MODEL or ollama:MODEL "
        "(default: SARCOLIT_LLM__SPEC, else none).",
    ),
]


EmbedderSpec = Annotated[
    str | None,
    typer.Option(
        "--embedder",
        help="st: (torch), onnx:, onnx-int8: or openai:MODEL (default: "
        "SARCOLIT_EMBEDDER__SPEC, else the one that built the store, else "
        "onnx-int8:). Another than the store's is refused: see `sarcolit reindex`.",
    ),
]


def settings_for(
    store_url: str | None,
    data_dir: Path | None,
    llm: str | None = None,
    embedder: str | None = None,
) -> Settings:
    """Return settings from the environment, overridden by command-line options."""
    from sarcolit.library import configure  # the CLI's --help must stay fast

    return configure(data_dir=data_dir, store_url=store_url, llm=llm, embedder=embedder)


def open_library(
    store_url: str | None,
    data_dir: Path | None,
    llm: str | None = None,
    embedder: str | None = None,
) -> Library:
    """Open the library the options name, showing a spinner for each slow step."""
    from sarcolit.library import Library

    settings = settings_for(store_url, data_dir, llm, embedder)
    status = err.status("Opening the library")
    with status:
        return Library.open(settings=settings, on_status=status.update)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a ``SarcolitError`` into one line on stderr and exit code 1."""
    try:
        yield
    except SarcolitError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
