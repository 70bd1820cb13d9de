"""Evaluation runs of a :class:`~sarcolit.Library` against the gold sets.

Each ``evaluate_*`` function is bound as the Library method of that name (its
``library`` is the method's ``self``) and uses only the Library's public
methods. ``sarcolit.evals`` is imported where used: ``sarcolit ask`` and
``search`` need none of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sarcolit._answers import Answerer, model_for
from sarcolit.core.errors import ConfigError
from sarcolit.core.models import Document

if TYPE_CHECKING:
    from sarcolit.evals import ExtractionRun, QARun, SynthesisRun
    from sarcolit.library import Library

EvalProgress = Callable[[int, int], None]


def run_dir(out_dir: Path | str | None, kind: str) -> Path:
    """Return ``out_dir``, or a new ``eval-runs/KIND-TIMESTAMP`` when None."""
    if out_dir is not None:
        return Path(out_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path("eval-runs") / f"{kind}-{stamp}"


def gold_corpus(library: Library, corpus: Path | str | None) -> dict[str, Document]:
    """Return the gold documents: read from ``corpus``, else the library's own.

    Raises:
        ConfigError: no corpus is given and the library holds no documents.
    """
    from sarcolit.evals import corpus_of, load_corpus

    if corpus is not None:
        return load_corpus(Path(corpus), max_bytes=library.settings.ingest.max_bytes)
    documents = library.get_documents()
    if not documents:
        raise ConfigError(
            "the library holds no documents; ingest corpus/ first "
            "(sarcolit ingest corpus/) or pass a corpus folder"
        )
    return corpus_of(documents)


def evaluate_qa(
    library: Library,
    gold: Path | str | None = None,
    *,
    k: int = 8,
    answerer: Answerer = "auto",
    corpus: Path | str | None = None,
    out_dir: Path | str | None = None,
    progress: EvalProgress | None = None,
) -> QARun:
    """Answer every gold question; score retrieval, citations and answers.

    Args:
        library: The library that answers (the method's ``self``).
        gold: JSONL gold file (default: the bundled QA gold set).
        k: Cut-off of recall@k.
        answerer: As for :meth:`~sarcolit.Library.ask`.
        corpus: Read the evidence documents from this folder instead of the
            library.
        out_dir: Run directory (default ``eval-runs/qa-TIMESTAMP``).
        progress: Called with (done, total) after each question.

    Raises:
        GoldFileError: the gold file is malformed or cites unknown text.
    """
    from sarcolit.evals import QA_GOLD, load_qa_gold, run_qa_eval

    model_for(library, answerer)  # a missing model fails before any work
    gold_path = Path(gold) if gold is not None else QA_GOLD
    questions = load_qa_gold(gold_path, gold_corpus(library, corpus))
    return run_qa_eval(
        questions,
        search=lambda query, depth: library.search(query, depth),
        answer=lambda question: library.ask(question, answerer=answerer),
        out_dir=run_dir(out_dir, "qa"),
        k=k,
        settings={"gold": str(gold_path), "answerer": answerer},
        progress=progress,
    )


def evaluate_synthesis(
    library: Library,
    gold: Path | str | None = None,
    *,
    answerer: Answerer = "auto",
    corpus: Path | str | None = None,
    out_dir: Path | str | None = None,
    progress: EvalProgress | None = None,
) -> SynthesisRun:
    """Answer every synthesis question (with its conversation); score its facts.

    Args:
        library: The library that answers (the method's ``self``).
        gold: JSONL gold file (default: the bundled synthesis gold set).
        answerer: As for :meth:`~sarcolit.Library.ask`.
        corpus: Read the evidence documents from this folder instead of the
            library.
        out_dir: Run directory (default ``eval-runs/synthesis-TIMESTAMP``).
        progress: Called with (done, total) after each question.

    Raises:
        GoldFileError: the gold file is malformed or cites unknown text.
    """
    from sarcolit.evals import SYNTHESIS_GOLD, load_synthesis_gold, run_synthesis_eval

    model_for(library, answerer)  # a missing model fails before any work
    gold_path = Path(gold) if gold is not None else SYNTHESIS_GOLD
    questions = load_synthesis_gold(gold_path, gold_corpus(library, corpus))
    return run_synthesis_eval(
        questions,
        answer=lambda question, history: library.ask(
            question, history=history, answerer=answerer
        ),
        out_dir=run_dir(out_dir, "synthesis"),
        settings={"gold": str(gold_path), "answerer": answerer},
        progress=progress,
    )


def evaluate_extraction(
    library: Library,
    gold: Path | str | None = None,
    *,
    corpus: Path | str | None = None,
    extractor: Literal["rules", "llm"] = "rules",
    out_dir: Path | str | None = None,
    progress: EvalProgress | None = None,
) -> ExtractionRun:
    """Extract records from the gold documents and score them field by field.

    Args:
        library: The library whose vocabulary and model extract (the method's
            ``self``).
        gold: JSONL gold file (default: the bundled extraction gold set).
        corpus: Folder of the gold documents (default: the library's).
        extractor: ``rules`` or ``llm`` (the configured chat model).
        out_dir: Run directory (default ``eval-runs/extraction-TIMESTAMP``).
        progress: Called with (done, total) as documents are extracted.

    Raises:
        GoldFileError: the gold file is malformed or names unknown documents.
    """
    from sarcolit.evals import (
        EXTRACTION_GOLD,
        load_extraction_gold,
        run_extraction_eval,
    )
    from sarcolit.extraction import extract_document

    model = None
    if extractor == "llm":
        model = model_for(library, "llm")[0]
    documents: Mapping[str, Document] = gold_corpus(library, corpus)
    gold_path = Path(gold) if gold is not None else EXTRACTION_GOLD
    rows = load_extraction_gold(gold_path, documents)
    return run_extraction_eval(
        rows,
        documents,
        extract=lambda doc: extract_document(doc, model, library.vocabulary).records,
        out_dir=run_dir(out_dir, "extraction"),
        settings={"gold": str(gold_path), "extractor": extractor},
        progress=progress,
        vocabulary=library.vocabulary,
    )
