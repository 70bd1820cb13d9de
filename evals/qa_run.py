"""Run the QA eval: retrieve, answer and score every gold question; write the run."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from sarcolit.core.models import Answer, Citation, SearchHit
from sarcolit.evals.gold import GoldQuestion
from sarcolit.evals.qa_scores import (
    SentenceSupport,
    evidence_recall_at_k,
    mean_or_none,
    reciprocal_rank,
    score_answer,
    score_citations,
)
from sarcolit.evals.report import plot_breakdown, plot_curve, plot_metrics, write_report
from sarcolit.evals.runs import RunResults, Scores, write_items, write_results
from sarcolit.evals.support import JudgeFactory, deterministic_judge

SearchFn = Callable[[str, int], Sequence[SearchHit]]
AnswerFn = Callable[[str], Answer]
Progress = Callable[[int, int], None]
CURVE_KS = (1, 2, 3, 5, 8, 10, 15, 20)


class QAItem(BaseModel):
    """One scored gold question, as written to ``items.jsonl``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: str
    question: str
    section: str
    unanswerable: bool
    answer: str
    refused: bool
    sentences: tuple[SentenceSupport, ...]
    citations: tuple[Citation, ...]
    retrieved: tuple[str, ...]
    missing: tuple[str, ...]
    scores: Scores


class QARun(BaseModel):
    """The outcome of :func:`run_qa_eval`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_dir: Path
    results: RunResults
    items: tuple[QAItem, ...]


def score_question(
    gold: GoldQuestion,
    hits: Sequence[SearchHit],
    answer: Answer,
    *,
    k: int,
    judge: JudgeFactory = deterministic_judge,
) -> QAItem:
    """Score one question's retrieval, answer and citations."""
    row = gold.row
    chunks = [hit.chunk for hit in hits]
    scores: Scores = {}
    if gold.spans:
        for cut in sorted({*CURVE_KS, k}):
            scores[f"recall@{cut}"] = evidence_recall_at_k(
                chunks, gold.spans, cut, match=row.evidence_match
            )
        scores["rr"] = reciprocal_rank(chunks, gold.spans)
    graded = score_answer(answer, row.must_contain, unanswerable=row.unanswerable)
    cited = score_citations(answer, judge(gold.spans))
    scores |= {
        "correct": float(graded.correct),
        "refused": float(graded.refused),
        "wrong": float(graded.wrong),
        "fact_recall": graded.fact_recall,
        "citation_recall": cited.recall,
        "citation_precision": cited.precision,
    }
    return QAItem(
        id=row.id,
        label=row.question,
        question=row.question,
        section=row.section or "unsectioned",
        unanswerable=row.unanswerable,
        answer=answer.answer,
        refused=answer.refused,
        sentences=cited.sentences,
        citations=answer.citations,
        retrieved=tuple(c.id for c in chunks[:k]),
        missing=graded.missing,
        scores=scores,
    )


def _mean(items: Sequence[QAItem], key: str) -> float | None:
    return mean_or_none(item.scores.get(key) for item in items)


def _put(target: dict[str, float], name: str, value: float | None) -> None:
    if value is not None:
        target[name] = value


def aggregate(items: Sequence[QAItem], k: int) -> dict[str, float]:
    """Return the run's metrics; a metric with no applicable item is left out."""
    answerable = [i for i in items if not i.unanswerable]
    unanswerable = [i for i in items if i.unanswerable]
    metrics: dict[str, float] = {}
    _put(metrics, f"recall@{k}", _mean(answerable, f"recall@{k}"))
    _put(metrics, "mrr", _mean(answerable, "rr"))
    _put(metrics, "answer_correctness", _mean(answerable, "correct"))
    _put(metrics, "fact_recall", _mean(answerable, "fact_recall"))
    _put(metrics, "false_refusal_rate", _mean(answerable, "refused"))
    _put(metrics, "refusal_accuracy", _mean(unanswerable, "refused"))
    # Confident-wrong, the worst outcome: answered, yet a gold fact is missing
    # (answerable) or no answer should have been given (unanswerable).
    _put(metrics, "wrong_answer_rate", _mean(items, "wrong"))
    _put(metrics, "accuracy", _mean(items, "correct"))
    _put(metrics, "citation_recall", _mean(items, "citation_recall"))
    _put(metrics, "citation_precision", _mean(items, "citation_precision"))
    return metrics


def breakdown(items: Sequence[QAItem], k: int) -> dict[str, dict[str, float]]:
    """Return accuracy, recall@k and citation recall per gold section."""
    groups: dict[str, list[QAItem]] = defaultdict(list)
    for item in items:
        groups[item.section].append(item)
    table = {}
    for section, members in groups.items():
        row = {"n": float(len(members))}
        _put(row, "accuracy", _mean(members, "correct"))
        _put(row, f"recall@{k}", _mean(members, f"recall@{k}"))
        _put(row, "citation_recall", _mean(members, "citation_recall"))
        table[section] = row
    return table


def recall_curve(items: Sequence[QAItem], k: int) -> dict[int, float]:
    """Return mean evidence recall at each cut-off of the curve."""
    curve = {}
    for cut in sorted({*CURVE_KS, k}):
        value = _mean([i for i in items if not i.unanswerable], f"recall@{cut}")
        if value is not None:
            curve[cut] = value
    return curve


def _failures(items: Sequence[QAItem]) -> list[str]:
    lines = ["## Items not answered correctly", ""]
    for item in items:
        if item.scores.get("correct") == 1.0:
            continue
        if item.unanswerable:
            why = "unanswerable, but answered"
        elif item.refused:
            why = "refused"
        else:
            why = "missing " + ", ".join(repr(m) for m in item.missing)
        lines.append(f"- `{item.id}` [{item.section}] {item.question} -- {why}")
    return lines if len(lines) > 2 else []


def write_qa_run(
    run_dir: Path, items: Sequence[QAItem], k: int, settings: Mapping[str, str]
) -> RunResults:
    """Write results.json, items.jsonl, the plots and report.md of a QA run."""
    run_dir.mkdir(parents=True, exist_ok=True)
    results = RunResults(
        kind="qa",
        settings={**settings, "k": str(k), "items": str(len(items))},
        metrics=aggregate(items, k),
        breakdown=breakdown(items, k),
        curve=recall_curve(items, k),
    )
    write_results(run_dir, results)
    write_items(run_dir, items)
    plots = [plot_metrics(results, run_dir / "metrics.png")]
    if results.curve:
        plots.append(plot_curve(results, run_dir / "recall_at_k.png"))
    columns = ["accuracy", f"recall@{k}", "citation_recall"]
    plots.append(plot_breakdown(results, run_dir / "sections.png", columns))
    write_report(run_dir, results, _failures(items), plots)
    return results


def run_qa_eval(
    gold: Sequence[GoldQuestion],
    *,
    search: SearchFn,
    answer: AnswerFn,
    out_dir: Path,
    k: int = 8,
    judge: JudgeFactory = deterministic_judge,
    settings: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> QARun:
    """Answer and score every gold question, and write a run directory.

    Args:
        gold: Questions from :func:`~sarcolit.evals.gold.load_qa_gold`.
        search: Returns the top passages for a question, e.g. ``HybridIndex.search``.
        answer: Answers a question, e.g. ``answer_question`` bound to an index
            and settings.
        out_dir: The run directory to write (created if missing).
        k: The cut-off reported as the headline ``recall@k``.
        judge: Builds the citation-support judge for each question.
        settings: What was run (gold file, answerer, ...), recorded in the results.
        progress: Called with (done, total) after each question.
    """
    depth = max(k, *CURVE_KS)
    items = []
    for done, question in enumerate(gold, start=1):
        text = question.row.question
        items.append(
            score_question(
                question, search(text, depth), answer(text), k=k, judge=judge
            )
        )
        if progress is not None:
            progress(done, len(gold))
    results = write_qa_run(out_dir, items, k, settings or {})
    return QARun(run_dir=out_dir, results=results, items=tuple(items))
