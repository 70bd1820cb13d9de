"""The ``sarcolit`` command line: each command wraps one package call."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from langchain_core.language_models import BaseChatModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from core.errors import BackendUnavailable, ConfigError
from core.llm import chat_model
from core.models import Answer, SearchHit
from core.settings import Settings
from ingest import FileOutcome, expand_paths, ingest_paths
from ingest.tags import subtype_names
from retrieval import Filters, answer_question, answer_with_llm
from ui.cli_eval import eval_app
from ui.cli_extract import extract
from ui.options import DataDir, StoreUrl, err, reported_errors, settings_for
from ui.session import Session, read_questions, with_passages

app = typer.Typer(
    help="Cited answers and trial records from the sarcoma immunotherapy literature.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)

Subtype = Annotated[
    list[str] | None,
    typer.Option(
        "--subtype",
        help="Only passages tagged with this subtype (a name or one of "
        + ", ".join(subtype_names())
        + ").",
    ),
]
Agent = Annotated[
    list[str] | None,
    typer.Option(
        "--agent", help="Only passages naming this agent (synonyms resolved)."
    ),
]
Nct = Annotated[
    list[str] | None, typer.Option("--nct", help="Only passages with this NCT id.")
]
Doc = Annotated[list[str] | None, typer.Option("--doc", help="Only this document id.")]
TopK = Annotated[int | None, typer.Option("-k", "--k", help="Passages retrieved.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _filters(
    subtype: list[str] | None,
    agent: list[str] | None,
    nct: list[str] | None,
    doc: list[str] | None,
) -> Filters:
    return Filters.parse(
        subtypes=subtype or (), agents=agent or (), nct_ids=nct or (), doc_ids=doc or ()
    )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Read, chunk, embed and store documents (txt, md, html, pdf, JATS/PubMed xml)."""
    with reported_errors():
        settings = settings_for(store_url, data_dir)
        files = expand_paths(paths)
        session = Session.open(settings, console=err)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("Ingesting", total=len(files))

            def advance(outcome: FileOutcome) -> None:
                if outcome.status == "failed":
                    progress.console.print(f"failed: {outcome.path}: {outcome.reason}")
                progress.advance(task)

            report = ingest_paths(
                files, session.index.cols, session.embedder, settings.ingest, advance
            )
            session.index.refresh()
        err.print(
            f"{len(files)} files: {report.count('added')} added, "
            f"{report.count('replaced')} replaced, {report.count('unchanged')} "
            f"unchanged, {report.count('failed')} failed; "
            f"{report.chunks_written} chunks written, "
            f"{len(session.index.chunks)} chunks in the store"
        )
    if report.failed:
        raise typer.Exit(1)


def _print_hit(rank: int, hit: SearchHit) -> None:
    chunk = hit.chunk
    page = f", p. {chunk.page}" if chunk.page else ""
    out.print(
        f"[bold]{rank}. {hit.title}[/bold] | {chunk.section or '-'}{page} "
        f"| [{chunk.start}, {chunk.end}) | score {hit.score:.4f}"
    )
    out.print(f"   {chunk.text}\n", markup=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: TopK = None,
    subtype: Subtype = None,
    agent: Agent = None,
    nct: Nct = None,
    doc: Doc = None,
    as_json: AsJson = False,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Print the passages that hybrid search (MiniLM + BM25) ranks highest."""
    with reported_errors():
        settings = settings_for(store_url, data_dir)
        session = Session.open(settings, console=err)
        hits = session.index.search(query, k, _filters(subtype, agent, nct, doc))
    if as_json:
        out.print_json(json.dumps([h.model_dump(mode="json") for h in hits]))
        return
    if not hits:
        err.print("no passages found")
    for rank, hit in enumerate(hits, start=1):
        _print_hit(rank, hit)


def _print_answer(answer: Answer) -> None:
    out.print(answer.answer, markup=False)
    for citation in answer.citations:
        page = f", p. {citation.page}" if citation.page else ""
        out.print(
            f"  [{citation.id}] {citation.title} | {citation.section or '-'}{page} "
            f"| [{citation.start}, {citation.end})",
            markup=False,
        )
    if answer.refused and answer.related:
        out.print("Related passages:", markup=False)
        for related in answer.related:
            out.print(
                f"  - {related.title} | {related.section}: {related.quote[:160]}...",
                markup=False,
            )


def _chat_model_or_note(
    spec: str, settings: Settings
) -> tuple[BaseChatModel | None, tuple[str, ...]]:
    """Return the chat model for ``spec``, or None and why the extractive one serves."""
    try:
        return chat_model(spec, settings), ()
    except (BackendUnavailable, ConfigError) as exc:
        return None, (f"LLM {spec!r} unavailable ({exc}); extractive answer shown",)


def _answer(
    text: str,
    session: Session,
    settings: Settings,
    filters: Filters,
    model: BaseChatModel | None,
    notes: tuple[str, ...],
) -> Answer:
    """Answer with the LLM when there is one, falling back to the extractive answer."""
    if model is not None:
        try:
            return answer_with_llm(text, session.index, settings, model, filters)
        except (BackendUnavailable, ConfigError) as exc:
            notes = (*notes, f"LLM failed ({exc}); extractive answer shown")
    answer = answer_question(text, session.index, settings, filters)
    return answer.model_copy(update={"notes": (*answer.notes, *notes)})


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    questions: Annotated[
        Path | None,
        typer.Option(
            "--questions",
            help="Questions, one per line, or JSONL rows with a 'question' key.",
        ),
    ] = None,
    k: TopK = None,
    subtype: Subtype = None,
    agent: Agent = None,
    nct: Nct = None,
    doc: Doc = None,
    as_json: AsJson = False,
    llm: Annotated[
        str | None,
        typer.Option(
            "--llm",
            help="none (extractive), local[:PATH.gguf], openai:MODEL or "
            "ollama:MODEL (default: SARCOLIT_LLM__SPEC, else none).",
        ),
    ] = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Answer with sentences from the literature, each cited, or say it cannot."""
    with reported_errors():
        if (question is None) == (questions is None):
            raise typer.BadParameter("give a QUESTION or --questions FILE, not both")
        settings = with_passages(settings_for(store_url, data_dir), k)
        asked = [question] if question is not None else read_questions(questions)
        session = Session.open(settings, console=err)
        filters = _filters(subtype, agent, nct, doc)
        model, notes = _chat_model_or_note(llm or settings.llm.spec, settings)
        for text in asked:
            answer = _answer(text, session, settings, filters, model, notes)
            if as_json:
                sys.stdout.write(answer.model_dump_json() + "\n")
                sys.stdout.flush()
            else:
                _print_answer(answer)
                for note in answer.notes:
                    err.print(f"note: {note}", markup=False)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; keep 127.0.0.1 unless you mean it.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the web app (chat, library, extraction, evals) and the HTTP API."""
    from ui.app import serve as serve_app

    with reported_errors():
        settings = settings_for(store_url, data_dir)
        err.print(f"sarcolit at http://{host}:{port}/ (HTTP API under /api)")
        serve_app(settings, host=host, port=port)


@app.command()
def bench(
    out_json: Annotated[
        Path, typer.Option("--out", help="Where to write the JSON result.")
    ] = Path("benchmarks/results/spine.json"),
    synthetic_chunks: Annotated[
        int, typer.Option(help="Size of the synthetic store for latency figures.")
    ] = 20_000,
    corpus: Annotated[Path, typer.Option(help="Corpus folder.")] = Path("corpus"),
) -> None:
    """Measure ingest throughput, search and ask latency; print a table, save JSON."""
    from evals.bench_spine import run_bench

    with reported_errors():
        run_bench(corpus, out_json, synthetic_chunks, console=out)


app.command()(extract)
app.add_typer(eval_app, name="eval")
