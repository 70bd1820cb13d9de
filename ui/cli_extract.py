"""The ``sarcolit extract`` command: trial records from papers, in batch.

Registered in ``ui/cli.py`` with ``app.command()(extract)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from sarcolit.core.errors import ExtractionError
from sarcolit.ui.options import (
    DataDir,
    EmbedderSpec,
    FollowLinks,
    LlmSpec,
    StoreUrl,
    err,
    open_library,
    printable,
    reported_errors,
)

if TYPE_CHECKING:  # loaded by the command, not by `sarcolit --help`
    from sarcolit.extraction import BatchReport
    from sarcolit.library import Library

CsvLayout = Literal["long", "wide"]
"""sarcolit.extraction.CsvFormat, spelled here so `--help` need not import it."""


def _run(
    library: Library,
    paths: list[Path],
    out: Path,
    csv: Path | None,
    csv_format: CsvLayout,
    from_index: bool,
    follow_links: bool | None,
) -> BatchReport:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("Extracting", total=None)

        def advance(source: str, done: int, total: int) -> None:
            progress.update(
                task, completed=done, total=total, description=Path(source).name
            )

        documents = library.get_documents() if from_index else None
        return library.extract(
            paths,
            out=out,
            csv=csv,
            csv_format=csv_format,
            documents=documents,
            on_progress=advance,
            follow_links=follow_links,
        )


def extract(
    context: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders of papers.")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="JSONL file of records (appended, resumable).")
    ] = Path("records.jsonl"),
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write a CSV here.")
    ] = None,
    csv_format: Annotated[
        CsvLayout | None,
        typer.Option(
            "--format",
            help="CSV layout: long (one row per value) or wide (the evidence "
            "table: one row per trial, arm or cohort, with sources and "
            "disagreements). Without --csv, written beside --out as .csv.",
        ),
    ] = None,
    llm: LlmSpec = None,
    from_index: Annotated[
        bool, typer.Option("--from-index", help="Extract the ingested documents.")
    ] = False,
    embedder: EmbedderSpec = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
    follow_links: FollowLinks = None,
) -> None:
    """Extract trial records (values with evidence) from papers into JSONL and CSV."""
    with reported_errors():
        if not paths and not from_index:
            raise ExtractionError("give files or folders to extract, or --from-index")
        library = open_library(context, store_url, data_dir, llm, embedder)
        if csv is None and csv_format is not None:
            csv = out.with_suffix(".csv")
        report = _run(
            library, paths or [], out, csv, csv_format or "long", from_index,
            follow_links,
        )  # fmt: skip
    for failure in report.failures:
        err.print(
            f"failed: {printable(failure.source)}: {printable(failure.reason)}",
            markup=False,
        )
    values = sum(len(r.endpoints) + len(r.counts) for r in report.records)
    conflicts = sum(len(r.conflicts) for r in report.records)
    err.print(
        f"{report.processed} extracted, {report.skipped} already done, "
        f"{len(report.failures)} failed; {len(report.records)} trials, "
        f"{values} trial-level values, {conflicts} conflicts -> {out}"
        + (f" and {csv} ({report.csv_rows} rows)" if csv else "")
    )
    if report.failures:
        raise typer.Exit(1)
