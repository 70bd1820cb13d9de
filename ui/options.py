"""Options and error handling shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from core.errors import SarcolitError
from core.settings import Settings

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


def settings_for(store_url: str | None, data_dir: Path | None) -> Settings:
    """Return settings from the environment, overridden by command-line options."""
    settings = Settings()
    store = settings.store
    if store_url is not None:
        store = store.model_copy(update={"url": store_url})
    if data_dir is not None:
        store = store.model_copy(update={"path": data_dir})
    return settings.model_copy(update={"store": store})


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a ``SarcolitError`` into one line on stderr and exit code 1."""
    try:
        yield
    except SarcolitError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
