"""``sarcolit eval``: score the answerer and the extractor against gold files."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from sarcolit.core.errors import ConfigError
from sarcolit.ui.options import (
    DataDir,
    EmbedderSpec,
    LlmSpec,
    StoreUrl,
    err,
    open_library,
    reported_errors,
)

if TYPE_CHECKING:  # sarcolit.evals loads the stores: not for `sarcolit --help`
    from sarcolit.evals import RunResults
    from sarcolit.library import Answerer

ANSWERERS = ("auto", "extractive", "llm")

eval_app = typer.Typer(
    help="Measure citation accuracy and extraction quality on gold files.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)


def _answerer(value: str) -> Answerer:
    """Return ``--answerer`` checked against the answerers the Library knows."""
    if value not in ANSWERERS:
        raise ConfigError(f"--answerer must be auto, extractive or llm, not {value!r}")
    return cast("Answerer", value)


Gold = Annotated[
    Path | None,
    typer.Option("--gold", help="JSONL gold file (default: the bundled gold set)."),
]
CorpusDir = Annotated[
    Path | None,
    typer.Option(
        "--corpus",
        help="Read evidence documents from this folder (default: the indexed ones).",
    ),
]
OutDir = Annotated[
    Path | None,
    typer.Option("--out", help="Run directory (default: eval-runs/KIND-TIMESTAMP)."),
]
CompareDir = Annotated[
    Path | None,
    typer.Option("--compare", help="An earlier run directory to compare with."),
]
Minimums = Annotated[
    list[str] | None,
    typer.Option("--min", help="METRIC=VALUE: exit 1 if METRIC is below VALUE."),
]
Maximums = Annotated[
    list[str] | None,
    typer.Option("--max", help="METRIC=VALUE: exit 1 if METRIC is above VALUE."),
]


def _print_results(results: RunResults, run_dir: Path) -> None:
    table = Table("metric", "value", title=f"{results.kind} eval")
    for name, value in sorted(results.metrics.items()):
        table.add_row(name, f"{value:.3f}")
    out.print(table)
    out.print(f"Run written to {run_dir} (report.md, results.json, items.jsonl, plots)")


def _finish(
    results: RunResults,
    run_dir: Path,
    compare: Path | None,
    bounds: tuple[Mapping[str, float], Mapping[str, float]],
) -> None:
    from sarcolit.evals import check_gates, write_comparison

    _print_results(results, run_dir)
    if compare is not None:
        diff = write_comparison(compare, run_dir)
        out.print(
            f"Compared with {compare}: {len(diff.better)} items better, "
            f"{len(diff.worse)} worse (see {run_dir / 'compare.md'})"
        )
        for change in diff.worse:
            out.print(f"  worse: {change.id} {change.label}")
    failures = check_gates(results.metrics, *bounds)
    for failure in failures:
        err.print(f"gate failed: {failure}", highlight=False)
    if failures:
        raise typer.Exit(1)


def _bounds(
    minimum: list[str] | None, maximum: list[str] | None
) -> tuple[Mapping[str, float], Mapping[str, float]]:
    from sarcolit.evals import parse_thresholds

    return parse_thresholds(minimum or []), parse_thresholds(maximum or [])


@contextmanager
def _progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """Show a progress bar; yield the ``(done, total)`` callback that moves it."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


@eval_app.command("qa")
def qa(
    context: typer.Context,
    gold: Gold = None,
    corpus: CorpusDir = None,
    answerer: Annotated[
        str,
        typer.Option(
            "--answerer",
            help="auto (the LLM when --llm or SARCOLIT_LLM__SPEC names one, as "
            "`sarcolit ask` does), extractive or llm.",
        ),
    ] = "auto",
    k: Annotated[int, typer.Option("--k", min=1, help="Cut-off of recall@k.")] = 8,
    out_dir: OutDir = None,
    compare: CompareDir = None,
    minimum: Minimums = None,
    maximum: Maximums = None,
    llm: LlmSpec = None,
    embedder: EmbedderSpec = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Answer every gold question; score retrieval, citations and answers."""
    with reported_errors():
        chosen = _answerer(answerer)
        bounds = _bounds(minimum, maximum)
        library = open_library(context, store_url, data_dir, llm, embedder)
        with _progress("Answering gold questions") as update:
            run = library.evaluate_qa(
                gold,
                k=k,
                answerer=chosen,
                corpus=corpus,
                out_dir=out_dir,
                progress=update,
            )
        _finish(run.results, run.run_dir, compare, bounds)


@eval_app.command("synthesis")
def synthesis(
    context: typer.Context,
    gold: Gold = None,
    corpus: CorpusDir = None,
    answerer: Annotated[
        str,
        typer.Option("--answerer", help="auto, extractive or llm (as for eval qa)."),
    ] = "auto",
    out_dir: OutDir = None,
    compare: CompareDir = None,
    minimum: Minimums = None,
    maximum: Maximums = None,
    llm: LlmSpec = None,
    embedder: EmbedderSpec = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Answer questions across trials; score facts stated and cited on one line."""
    with reported_errors():
        chosen = _answerer(answerer)
        bounds = _bounds(minimum, maximum)
        library = open_library(context, store_url, data_dir, llm, embedder)
        with _progress("Answering synthesis questions") as update:
            run = library.evaluate_synthesis(
                gold,
                answerer=chosen,
                corpus=corpus,
                out_dir=out_dir,
                progress=update,
            )
        _finish(run.results, run.run_dir, compare, bounds)


@eval_app.command("extraction")
def extraction(
    context: typer.Context,
    gold: Gold = None,
    corpus: Annotated[
        Path, typer.Option("--corpus", help="Folder the gold documents are in.")
    ] = Path("corpus"),
    extractor: Annotated[
        str, typer.Option("--extractor", help="rules or llm.")
    ] = "rules",
    out_dir: OutDir = None,
    compare: CompareDir = None,
    minimum: Minimums = None,
    maximum: Maximums = None,
    llm: LlmSpec = None,
    embedder: EmbedderSpec = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Extract trial records from the gold documents; score them field by field."""
    with reported_errors():
        if extractor not in ("rules", "llm"):
            raise ConfigError(f"--extractor must be rules or llm, not {extractor!r}")
        bounds = _bounds(minimum, maximum)
        library = open_library(context, store_url, data_dir, llm, embedder)
        with _progress("Extracting gold documents") as update:
            run = library.evaluate_extraction(
                gold,
                corpus=corpus,
                extractor=extractor,  # type: ignore[arg-type]  # checked above
                out_dir=out_dir,
                progress=update,
            )
        _finish(run.results, run.run_dir, compare, bounds)
