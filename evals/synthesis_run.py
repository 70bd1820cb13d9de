"""Run the synthesis eval: answer every gold question, score its facts, write the run.

Metrics (``results.json``):

- ``fact_recall``: mean over questions of the share of facts stated on one line
  and cited there (``fact_recall_micro``: over all facts);
- ``questions_complete``: share of questions with every fact counted;
- ``facts_stated``: share of facts stated on one line, cited or not;
- ``facts_cited``: share of stated facts whose line cites their evidence;
- ``false_refusal_rate``: share of (answerable) questions refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from sarcolit.core.models import Answer, AnswerTable, Citation
from sarcolit.evals.qa_scores import mean_or_none
from sarcolit.evals.report import plot_breakdown, plot_metrics, write_report
from sarcolit.evals.runs import RunResults, Scores, write_items, write_results
from sarcolit.evals.synthesis_gold import SynthesisQuestion
from sarcolit.evals.synthesis_scores import FactScore, score_synthesis

SynthesisAnswerFn = Callable[[str, Sequence[str]], Answer]
"""Answers a question given the earlier questions of its conversation."""
Progress = Callable[[int, int], None]


class SynthesisItem(BaseModel):
    """One scored synthesis question, as written to ``items.jsonl``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: str
    kind: str
    question: str
    history: tuple[str, ...]
    answer: str
    refused: bool
    table: AnswerTable | None
    citations: tuple[Citation, ...]
    facts: tuple[FactScore, ...]
    scores: Scores


class SynthesisRun(BaseModel):
    """The outcome of :func:`run_synthesis_eval`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_dir: Path
    results: RunResults
    items: tuple[SynthesisItem, ...]


def score_question(gold: SynthesisQuestion, answer: Answer) -> SynthesisItem:
    """Score one question's answer against its gold facts."""
    row = gold.row
    facts = score_synthesis(answer, gold.facts)
    counted = sum(f.stated and f.cited for f in facts)
    stated = sum(f.stated for f in facts)
    scores: Scores = {
        "fact_recall": counted / len(facts),
        "complete": float(counted == len(facts)),
        "refused": float(answer.refused),
        "facts": float(len(facts)),
        "counted": float(counted),
        "stated": float(stated),
    }
    return SynthesisItem(
        id=row.id,
        label=row.question,
        kind=row.kind,
        question=row.question,
        history=row.history,
        answer=answer.answer,
        refused=answer.refused,
        table=answer.table,
        citations=answer.citations,
        facts=tuple(facts),
        scores=scores,
    )


def _total(items: Sequence[SynthesisItem], key: str) -> float:
    return sum(item.scores.get(key) or 0.0 for item in items)


def _put(target: dict[str, float], name: str, value: float | None) -> None:
    if value is not None:
        target[name] = value


def aggregate(items: Sequence[SynthesisItem]) -> dict[str, float]:
    """Return the run's metrics (see the module docstring)."""
    metrics: dict[str, float] = {}
    _put(metrics, "fact_recall", mean_or_none(i.scores["fact_recall"] for i in items))
    _put(
        metrics, "questions_complete", mean_or_none(i.scores["complete"] for i in items)
    )
    _put(
        metrics, "false_refusal_rate", mean_or_none(i.scores["refused"] for i in items)
    )
    facts, stated = _total(items, "facts"), _total(items, "stated")
    if facts:
        metrics["fact_recall_micro"] = _total(items, "counted") / facts
        metrics["facts_stated"] = stated / facts
    if stated:
        metrics["facts_cited"] = _total(items, "counted") / stated
    return metrics


def breakdown(items: Sequence[SynthesisItem]) -> dict[str, dict[str, float]]:
    """Return fact recall and completeness per question kind."""
    groups: dict[str, list[SynthesisItem]] = defaultdict(list)
    for item in items:
        groups[item.kind].append(item)
    table = {}
    for kind, members in groups.items():
        row = {"n": float(len(members))}
        _put(row, "fact_recall", mean_or_none(i.scores["fact_recall"] for i in members))
        _put(row, "complete", mean_or_none(i.scores["complete"] for i in members))
        table[kind] = row
    return table


def _failures(items: Sequence[SynthesisItem]) -> list[str]:
    lines = ["## Facts not counted", ""]
    for item in items:
        for fact in item.facts:
            if fact.stated and fact.cited:
                continue
            why = "stated, not cited on its line" if fact.stated else "not stated"
            lines.append(f"- `{item.id}` [{item.kind}] {fact.fact} -- {why}")
    return lines if len(lines) > 2 else []


def write_synthesis_run(
    run_dir: Path, items: Sequence[SynthesisItem], settings: Mapping[str, str]
) -> RunResults:
    """Write results.json, items.jsonl, the plots and report.md of a synthesis run."""
    run_dir.mkdir(parents=True, exist_ok=True)
    results = RunResults(
        kind="synthesis",
        settings={**settings, "items": str(len(items))},
        metrics=aggregate(items),
        breakdown=breakdown(items),
    )
    write_results(run_dir, results)
    write_items(run_dir, items)
    plots = [
        plot_metrics(results, run_dir / "metrics.png"),
        plot_breakdown(results, run_dir / "kinds.png", ["fact_recall", "complete"]),
    ]
    write_report(run_dir, results, _failures(items), plots)
    return results


def run_synthesis_eval(
    gold: Sequence[SynthesisQuestion],
    *,
    answer: SynthesisAnswerFn,
    out_dir: Path,
    settings: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> SynthesisRun:
    """Answer and score every synthesis gold question, and write a run directory.

    Args:
        gold: Questions from :func:`~sarcolit.evals.load_synthesis_gold`.
        answer: Answers a question given its conversation's earlier questions,
            e.g. ``lambda q, history: library.ask(q, history=history)``.
        out_dir: The run directory to write (created if missing).
        settings: What was run (gold file, answerer, ...), recorded in the results.
        progress: Called with (done, total) after each question.
    """
    items = []
    for done, question in enumerate(gold, start=1):
        row = question.row
        items.append(score_question(question, answer(row.question, row.history)))
        if progress is not None:
            progress(done, len(gold))
    results = write_synthesis_run(out_dir, items, settings or {})
    return SynthesisRun(run_dir=out_dir, results=results, items=tuple(items))
