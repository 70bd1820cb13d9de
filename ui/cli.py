"""The ``sarcolit`` command line: each command wraps one package call."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from sarcolit.core.vocabulary import default_vocabulary
from sarcolit.ui.cli_eval import eval_app
from sarcolit.ui.cli_extract import extract
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
    settings_for,
)
from sarcolit.ui.questions import load_benchmark, read_questions

if TYPE_CHECKING:  # imported where used: `sarcolit --help` must not load them
    from sarcolit.core.models import Answer, AnswerTable, SearchHit
    from sarcolit.ingest import FileOutcome
    from sarcolit.library import Library
    from sarcolit.retrieval import Filters

app = typer.Typer(
    help="Cited answers and trial records from the sarcoma immunotherapy literature.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True, emoji=False)

Subtype = Annotated[
    list[str] | None,
    typer.Option(
        "--subtype",
        help="Only passages tagged with this subtype (a name or one of "
        + ", ".join(default_vocabulary().subtypes)
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
    library: Library,
    subtype: list[str] | None,
    agent: list[str] | None,
    nct: list[str] | None,
    doc: list[str] | None,
) -> Filters:
    return library.filters(
        subtypes=subtype or (), agents=agent or (), nct_ids=nct or (), doc_ids=doc or ()
    )


@app.command()
def ingest(
    context: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    embedder: EmbedderSpec = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
    follow_links: FollowLinks = None,
) -> None:
    """Read, chunk, embed and store documents (txt, md, html, pdf, JATS/PubMed xml).

    A file's text may hold up to SARCOLIT_INGEST__MAX_CHARS characters (default
    1,000,000: about 1,750 chunks, 1.5 minutes of embedding on 2 idle cores); a
    longer one is refused with a message. Writers to one data directory take
    turns: a second ingest waits for the first.
    """
    from sarcolit.ingest import expand_paths

    with reported_errors():
        files = expand_paths(paths)
        library = open_library(context, store_url, data_dir, embedder=embedder)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("Ingesting", total=len(files))

            def advance(outcome: FileOutcome) -> None:
                if outcome.status == "failed":
                    progress.console.print(
                        f"failed: {printable(outcome.path)}: "
                        f"{printable(outcome.reason)}",
                        markup=False,
                    )
                progress.advance(task)

            def waiting(message: str) -> None:
                progress.console.print(f"note: {printable(message)}", markup=False)

            report = library.ingest(
                paths, advance, follow_links=follow_links, on_wait=waiting
            )
        err.print(
            f"{len(files)} files: {report.count('added')} added, "
            f"{report.count('replaced')} replaced, {report.count('unchanged')} "
            f"unchanged, {report.count('failed')} failed; "
            f"{report.chunks_written} chunks written, "
            f"{len(library.index.chunks)} chunks in the store"
        )
    if report.failed:
        raise typer.Exit(1)


def _print_hit(rank: int, hit: SearchHit) -> None:
    chunk = hit.chunk
    page = f", p. {chunk.page}" if chunk.page else ""
    # Text objects: a title or passage holding '[bold]' or ':x:' prints verbatim.
    out.print(
        Text.assemble(
            (f"{rank}. {hit.title}", "bold"),
            f" | {chunk.section or '-'}{page} | [{chunk.start}, {chunk.end}) "
            f"| score {hit.score:.4f}",
        )
    )
    out.print(Text(f"   {chunk.text}\n"))


@app.command()
def search(
    context: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: TopK = None,
    subtype: Subtype = None,
    agent: Agent = None,
    nct: Nct = None,
    doc: Doc = None,
    as_json: AsJson = False,
    embedder: EmbedderSpec = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Print the passages that hybrid search (MiniLM + BM25) ranks highest."""
    with reported_errors():
        library = open_library(context, store_url, data_dir, embedder=embedder)
        hits = library.search(query, k, _filters(library, subtype, agent, nct, doc))
    if as_json:
        out.print_json(json.dumps([h.model_dump(mode="json") for h in hits]))
        return
    if not hits:
        err.print("no passages found")
    for rank, hit in enumerate(hits, start=1):
        _print_hit(rank, hit)


def _print_table(table: AnswerTable) -> None:
    grid = Table(table.label, *table.columns, show_lines=False)
    for row in table.rows:
        cells = [
            f"{c.text} {''.join(f'[{n}]' for n in c.citations)}".strip()
            for c in row.cells
        ]
        grid.add_row(escape(row.label), *(escape(c) for c in cells))
    out.print(grid)


def _print_answer(answer: Answer) -> None:
    out.print(answer.answer, markup=False)
    if answer.table is not None:
        _print_table(answer.table)
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


@app.command()
def ask(
    context: typer.Context,
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
    history: Annotated[
        list[str] | None,
        typer.Option(
            "--history",
            help="An earlier question of the conversation (repeat, oldest first); "
            "the question is read as its follow-up.",
        ),
    ] = None,
    llm: LlmSpec = None,
    embedder: EmbedderSpec = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Answer with sentences from the literature, each cited, or say it cannot.

    Questions across trials (lists, classes, subtypes, comparisons) get one
    cited line per trial and a table.
    """
    with reported_errors():
        if (question is None) == (questions is None):
            raise typer.BadParameter("give a QUESTION or --questions FILE, not both")
        asked = [question] if question is not None else read_questions(questions)
        library = open_library(context, store_url, data_dir, llm, embedder)
        filters = _filters(library, subtype, agent, nct, doc)
        for text in asked:
            answer = library.ask(text, k=k, filters=filters, history=history or ())
            if as_json:
                sys.stdout.write(answer.model_dump_json() + "\n")
                sys.stdout.flush()
            else:
                _print_answer(answer)
                for note in answer.notes:
                    err.print(f"note: {note}", markup=False)


@app.command()
def serve(
    context: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to bind; keep 127.0.0.1 unless you mean it.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
    llm: LlmSpec = None,
    embedder: EmbedderSpec = None,
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the web app (chat, library, extraction, evals) and the HTTP API."""
    from sarcolit.ui.app import serve as serve_app

    with reported_errors():
        library = open_library(context, store_url, data_dir, llm, embedder)
        err.print(f"sarcolit at http://{host}:{port}/ (HTTP API under /api)")
        serve_app(library, host=host, port=port)


@app.command()
def reindex(
    embedder: Annotated[
        str,
        typer.Option(
            "--embedder",
            help="The embedder to re-embed every stored chunk with: st:, onnx:, "
            "onnx-int8: or openai:MODEL.",
        ),
    ],
    store_url: StoreUrl = None,
    data_dir: DataDir = None,
) -> None:
    """Re-embed the stored chunks with another embedder (files are not read again)."""
    from sarcolit.library import Library

    with reported_errors():
        settings = settings_for(store_url, data_dir)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task(f"Re-embedding with {embedder}", total=None)
            library = Library.reindexed(
                embedder,
                settings=settings,
                on_progress=lambda done, total: progress.update(
                    task, completed=done, total=total
                ),
            )
        err.print(
            f"{len(library.index.chunks)} chunks in the store, now embedded with "
            f"{library.settings.embedder.spec}"
        )


@app.command()
def bench(
    out_json: Annotated[
        Path, typer.Option("--out", help="Where to write the JSON result.")
    ] = Path("benchmarks/results/spine.json"),
    synthetic_chunks: Annotated[
        int, typer.Option(help="Size of the synthetic store for latency figures.")
    ] = 100_000,
    files: Annotated[
        int, typer.Option(help="Generated files in the ingest benchmark.")
    ] = 1000,
    corpus: Annotated[Path, typer.Option(help="Corpus folder.")] = Path("corpus"),
) -> None:
    """Measure embedders, cold start, ingest, search and ask (in a source checkout)."""
    with reported_errors():
        run_bench = load_benchmark("bench_spine", "run_bench")
        run_bench(corpus, out_json, synthetic_chunks, console=out, n_files=files)


app.command()(extract)
app.add_typer(eval_app, name="eval")
