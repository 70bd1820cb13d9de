"""``sarcolit eval``: score the answerer and the extractor against gold files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from langchain_core.language_models import BaseChatModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from core.errors import ConfigError
from core.llm import chat_model
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
from retrieval import HybridIndex, answer_question, answer_with_llm
from ui.options import DataDir, StoreUrl, err, reported_errors, settings_for
from ui.session import Session

eval_app = typer.Typer(
    help="Measure citation accuracy and extraction quality on gold files.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
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
LlmSpec = Annotated[
    str | None,
    typer.Option(
        "--llm",
        help="Chat model for the llm answerer or extractor: local[:PATH.gguf], "
        "openai:MODEL or ollama:MODEL (default: SARCOLIT_LLM__SPEC, else local:).",
    ),
]


def _chat_model(spec: str | None, settings: Settings) -> BaseChatModel:
    """Return the chat model the llm answerer or extractor asked for."""
    default = settings.llm.spec if settings.llm.spec != "none" else "local:"
    model = chat_model(spec or default, settings)
    if model is None:
        raise ConfigError("--llm none gives no model; use the extractive/rules choice")
    return model


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


def _answerer(
    index: HybridIndex, settings: Settings, model: BaseChatModel | None
) -> Callable[[str], Answer]:
    def answer(question: str) -> Answer:
        if model is None:
            return answer_question(question, index, settings)
        return answer_with_llm(question, index, settings, model)

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
    llm: LlmSpec = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Answer every gold question; score retrieval, citations and answers."""
    with reported_errors():
        if answerer not in ("extractive", "llm"):
            raise ConfigError(f"--answerer must be extractive or llm, not {answerer!r}")
        bounds = (parse_thresholds(minimum or []), parse_thresholds(maximum or []))
        settings = settings_for(store_url, data_dir)
        model = _chat_model(llm, settings) if answerer == "llm" else None
        session = Session.open(settings, console=err)
        answer = _answerer(session.index, settings, model)
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
    llm: LlmSpec = None,
) -> None:
    """Extract trial records from the gold documents; score them field by field."""
    with reported_errors():
        if extractor not in ("rules", "llm"):
            raise ConfigError(f"--extractor must be rules or llm, not {extractor!r}")
        settings = Settings()
        model = _chat_model(llm, settings) if extractor == "llm" else None
        bounds = (parse_thresholds(minimum or []), parse_thresholds(maximum or []))
        documents = load_corpus(corpus, max_bytes=settings.ingest.max_bytes)
        gold_path = gold or EXTRACTION_GOLD
        rows = load_extraction_gold(gold_path, documents)
        run_dir = _run_dir(out_dir, "extraction")

        def extract(document: Document) -> tuple[TrialRecord, ...]:
            return extract_document(document, model).records

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
