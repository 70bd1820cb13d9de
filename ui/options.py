"""Options and error handling shared by the CLI commands."""

from __future__ import annotations

import re
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

# No emoji codes, no highlighting: text from documents and file names is printed
# as it is (':x:' stays ':x:').
err = Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

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
        "onnx:). Another than the store's is refused: see `sarcolit reindex`.",
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
    context: typer.Context,
    store_url: str | None,
    data_dir: Path | None,
    llm: str | None = None,
    embedder: str | None = None,
) -> Library:
    """Open the library the options name, showing a spinner for each slow step.

    A ``Library`` given as the context object (``app(obj=library)``, or
    ``CliRunner.invoke(app, args, obj=library)``) serves the command instead,
    so the CLI can run inside a process that already holds one.
    """
    from sarcolit.library import Library

    given = context.find_object(Library)
    if given is not None:
        return given
    settings = settings_for(store_url, data_dir, llm, embedder)
    status = err.status("Opening the library")
    with status:
        return Library.open(settings=settings, on_status=status.update)


def printable(text: object) -> str:
    r"""Return ``text`` on one line: control characters shown as escapes (``\n``).

    A file name holding a newline must not forge a line of output.
    """
    return _CONTROL.sub(
        lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text)
    )


FollowLinks = Annotated[
    bool | None,
    typer.Option(
        "--follow-links/--no-follow-links",
        help="Read symbolic links inside a folder that point outside it "
        "(default: refuse them; SARCOLIT_INGEST__FOLLOW_LINKS).",
    ),
]


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a ``SarcolitError`` into one line on stderr and exit code 1."""
    try:
        yield
    except SarcolitError as exc:
        err.print(f"error: {printable(exc)}", markup=False)
        raise typer.Exit(1) from None
