"""The ``sarcolit extract`` command: trial records from papers, in batch.

Registered in ``ui/cli.py`` with ``app.command()(extract)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from langchain_core.language_models import BaseChatModel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from core.errors import ExtractionError
from core.llm import chat_model
from core.settings import Settings
from extraction import BatchReport, run_batch, run_documents
from ui.options import DataDir, StoreUrl, err, reported_errors, settings_for


def _run(
    paths: list[Path],
    out: Path,
    csv: Path | None,
    model: BaseChatModel | None,
    from_index: bool,
    settings: Settings,
) -> BatchReport:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    workers = settings.extraction.llm_workers if model is not None else 1
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("Extracting", total=None)

        def advance(source: str, done: int, total: int) -> None:
            progress.update(
                task, completed=done, total=total, description=Path(source).name
            )

        if from_index:
            from core.store import chroma_client
            from retrieval import documents

            docs = documents(chroma_client(settings.store), settings)
            return run_documents(
                docs,
                out,
                csv_path=csv,
                model=model,
                workers=workers,
                on_progress=advance,
            )
        return run_batch(
            paths,
            out,
            settings=settings,
            csv_path=csv,
            model=model,
            workers=workers,
            on_progress=advance,
        )


def extract(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders of papers.")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="JSONL file of records (appended, resumable).")
    ] = Path("records.jsonl"),
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write a long-format CSV here.")
    ] = None,
    llm: Annotated[
        str | None,
        typer.Option("--llm", help="Chat model spec, e.g. openai:gpt-4o-mini."),
    ] = None,
    from_index: Annotated[
        bool, typer.Option("--from-index", help="Extract the ingested documents.")
    ] = False,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Extract trial records (values with evidence) from papers into JSONL and CSV."""
    with reported_errors():
        if not paths and not from_index:
            raise ExtractionError("give files or folders to extract, or --from-index")
        settings = settings_for(store_url, data_dir)
        model = chat_model(llm, settings) if llm else None
        report = _run(paths or [], out, csv, model, from_index, settings)
    for failure in report.failures:
        err.print(f"failed: {failure.source}: {failure.reason}")
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
