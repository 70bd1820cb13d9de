"""``sarcolit eval``: score the answerer and the extractor against gold files."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from core.errors import ConfigError, SarcolitError
from core.models import Answer, Document, SearchHit, TrialRecord
from core.settings import Settings
from evals import (
    EXTRACTION_GOLD,
    QA_GOLD,
    RunResults,
    check_gates,
    corpus_of,
    load_corpus,
    load_extraction_gold,
    load_qa_gold,
    parse_thresholds,
    run_extraction_eval,
    run_qa_eval,
    write_comparison,
)
from extraction import extract_document
from retrieval import HybridIndex, answer_question
from ui.session import Session

eval_app = typer.Typer(
    help="Measure citation accuracy and extraction quality on gold files.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

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
StoreUrl = Annotated[
    str | None,
    typer.Option("--store-url", help="Chroma server, e.g. http://HOST:PORT."),
]
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data directory.")]


@contextmanager
def _reported_errors() -> Iterator[None]:
    try:
        yield
    except SarcolitError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None


def _settings(store_url: str | None, data_dir: Path | None) -> Settings:
    settings = Settings()
    update: dict[str, object] = {}
    if store_url is not None:
        update["url"] = store_url
    if data_dir is not None:
        update["path"] = data_dir
    return settings.model_copy(
        update={"store": settings.store.model_copy(update=update)}
    )


def _run_dir(out_dir: Path | None, kind: str) -> Path:
    if out_dir is not None:
        return out_dir
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path("eval-runs") / f"{kind}-{stamp}"


def _corpus(
    corpus_dir: Path | None, index: HybridIndex, settings: Settings
) -> dict[str, Document]:
    if corpus_dir is not None:
        return load_corpus(corpus_dir, max_bytes=settings.ingest.max_bytes)
    documents = index.get_documents()
    if not documents:
        raise ConfigError(
            "the index holds no documents; run 'sarcolit ingest corpus/' first "
            "or pass --corpus DIR"
        )
    return corpus_of(documents)


def _extractive(index: HybridIndex, settings: Settings) -> Callable[[str], Answer]:
    def answer(question: str) -> Answer:
        return answer_question(question, index, settings)

    return answer


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


@eval_app.command("qa")
def qa(
    gold: Gold = None,
    corpus: CorpusDir = None,
    answerer: Annotated[
        str, typer.Option("--answerer", help="extractive or llm.")
    ] = "extractive",
    k: Annotated[int, typer.Option("--k", min=1, help="Cut-off of recall@k.")] = 8,
    out_dir: OutDir = None,
    compare: CompareDir = None,
    minimum: Minimums = None,
    maximum: Maximums = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Answer every gold question; score retrieval, citations and answers."""
    with _reported_errors():
        if answerer not in ("extractive", "llm"):
            raise ConfigError(f"--answerer must be extractive or llm, not {answerer!r}")
        bounds = (parse_thresholds(minimum or []), parse_thresholds(maximum or []))
        if answerer == "llm":
            raise ConfigError(
                "the llm answerer is not available yet: retrieval.answer_question "
                "takes no chat model; use --answerer extractive"
            )
        settings = _settings(store_url, data_dir)
        session = Session.open(settings, console=err)
        answer = _extractive(session.index, settings)
        gold_path = gold or QA_GOLD
        questions = load_qa_gold(gold_path, _corpus(corpus, session.index, settings))
        run_dir = _run_dir(out_dir, "qa")

        def search(query: str, depth: int) -> list[SearchHit]:
            return session.index.search(query, depth)

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("Answering gold questions", total=len(questions))
            run = run_qa_eval(
                questions,
                search=search,
                answer=answer,
                out_dir=run_dir,
                k=k,
                settings={"gold": str(gold_path), "answerer": answerer},
                progress=lambda done, _total: progress.update(task, completed=done),
            )
        _finish(run.results, run_dir, compare, bounds)


@eval_app.command("extraction")
def extraction(
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
) -> None:
    """Extract trial records from the gold documents; score them field by field."""
    with _reported_errors():
        if extractor != "rules":
            raise ConfigError(
                f"--extractor {extractor!r} is not available yet: no chat-model "
                "factory (core.llm) exists; use --extractor rules"
            )
        bounds = (parse_thresholds(minimum or []), parse_thresholds(maximum or []))
        documents = load_corpus(corpus, max_bytes=Settings().ingest.max_bytes)
        gold_path = gold or EXTRACTION_GOLD
        rows = load_extraction_gold(gold_path, documents)
        run_dir = _run_dir(out_dir, "extraction")

        def extract(document: Document) -> tuple[TrialRecord, ...]:
            return extract_document(document).records

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("Extracting gold documents", total=None)
            run = run_extraction_eval(
                rows,
                documents,
                extract=extract,
                out_dir=run_dir,
                settings={"gold": str(gold_path), "extractor": extractor},
                progress=lambda done, total: progress.update(
                    task, completed=done, total=total
                ),
            )
        _finish(run.results, run_dir, compare, bounds)
