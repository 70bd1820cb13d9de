"""Run the extraction eval: extract the gold documents, match and score the records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from sarcolit.core.errors import SarcolitError
from sarcolit.core.models import Document, TrialRecord
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary
from sarcolit.evals.extraction_groups import ARM_RULES, COHORT_RULES
from sarcolit.evals.extraction_scores import (
    FieldCounts,
    arm_fields,
    cohort_fields,
    compare_fields,
    compare_groups,
    grounding,
    match_records,
    missing_fields,
    record_fields,
    record_label,
)
from sarcolit.evals.gold import ExtractionGoldRow, find_document
from sarcolit.evals.report import plot_breakdown, plot_metrics, write_report
from sarcolit.evals.runs import RunResults, Scores, write_items, write_results

ExtractFn = Callable[[Document], Sequence[TrialRecord]]
Progress = Callable[[int, int], None]


class ExtractionItem(BaseModel):
    """One scored gold record, as written to ``items.jsonl``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: str
    doc: str
    matched: str | None
    right: tuple[str, ...]
    wrong: tuple[str, ...]
    counts: FieldCounts
    arm_counts: FieldCounts
    cohort_counts: FieldCounts
    scores: Scores


class ExtractionRun(BaseModel):
    """The outcome of :func:`run_extraction_eval`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_dir: Path
    results: RunResults
    items: tuple[ExtractionItem, ...]


def _label(row: ExtractionGoldRow) -> str:
    keys = row.keys
    parts = [keys.nct_id or "", keys.name or "", " + ".join(keys.interventions)]
    return " / ".join(p for p in parts if p)


def _ratio(found: int, total: int) -> float | None:
    return found / total if total else None


def score_record(
    row: ExtractionGoldRow, record: TrialRecord | None, vocab: Vocabulary
) -> ExtractionItem:
    """Score one gold row against its matched record (None when unmatched)."""
    if record is None:
        counts = missing_fields(row.fields)
        arms_found, arms = (
            0,
            sum((missing_fields(a.fields) for a in row.arms), FieldCounts()),
        )
        cohorts_found, cohorts = (
            0,
            sum((missing_fields(c.fields) for c in row.cohorts), FieldCounts()),
        )
    else:
        counts = compare_fields(row.fields, record_fields(record))
        arms_found, arms = compare_groups(
            row.arms, arm_fields(record), ARM_RULES, vocab
        )
        cohorts_found, cohorts = compare_groups(
            row.cohorts, cohort_fields(record), COHORT_RULES, vocab
        )
    scores: Scores = {
        "matched": float(record is not None),
        "field_recall": counts.recall(),
        "field_precision": counts.precision(),
        "arm_recall": _ratio(arms_found, len(row.arms)),
        "cohort_recall": _ratio(cohorts_found, len(row.cohorts)),
        "group_field_recall": (arms + cohorts).recall(),
    }
    return ExtractionItem(
        id=row.id,
        label=_label(row),
        doc=row.doc,
        matched=None if record is None else record_label(record),
        right=counts.right,
        wrong=counts.wrong,
        counts=counts,
        arm_counts=arms,
        cohort_counts=cohorts,
        scores=scores,
    )


def _put(target: dict[str, float], name: str, value: float | None) -> None:
    if value is not None:
        target[name] = value


def aggregate(
    items: Sequence[ExtractionItem], predicted: int, grounded: tuple[int, int]
) -> dict[str, float]:
    """Return the run's metrics; field scores pool every gold record's fields.

    ``field_*`` scores trial-level fields, ``arm_field_*`` and ``cohort_field_*``
    the fields of arms and cohorts, and ``all_field_*`` all three together.
    """
    matched = sum(1 for i in items if i.matched is not None)
    fields = sum((i.counts for i in items), FieldCounts())
    arms = sum((i.arm_counts for i in items), FieldCounts())
    cohorts = sum((i.cohort_counts for i in items), FieldCounts())
    metrics: dict[str, float] = {}
    _put(metrics, "record_match_rate", _ratio(matched, len(items)))
    _put(metrics, "record_precision", _ratio(matched, predicted))
    for prefix, pooled in (
        ("field", fields),
        ("arm_field", arms),
        ("cohort_field", cohorts),
        ("all_field", fields + arms + cohorts),
    ):
        _put(metrics, f"{prefix}_precision", pooled.precision())
        _put(metrics, f"{prefix}_recall", pooled.recall())
        _put(metrics, f"{prefix}_f1", pooled.f1())
    arm_items = [
        i.scores["arm_recall"] for i in items if i.scores["arm_recall"] is not None
    ]
    cohort_items = [
        i.scores["cohort_recall"]
        for i in items
        if i.scores["cohort_recall"] is not None
    ]
    _put(metrics, "arm_match_rate", _mean(arm_items))
    _put(metrics, "cohort_match_rate", _mean(cohort_items))
    _put(metrics, "grounding_rate", _ratio(*grounded))
    return metrics


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def per_field(items: Sequence[ExtractionItem]) -> dict[str, dict[str, float]]:
    """Return recall of each gold field name across the matched and missed records."""
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for item in items:
        for name in item.right:
            right[name] += 1
            total[name] += 1
        for name in item.wrong:
            total[name] += 1
    return {
        name: {"n": float(total[name]), "recall": right[name] / total[name]}
        for name in total
    }


def _details(items: Sequence[ExtractionItem]) -> list[str]:
    lines = ["## Records with missing or wrong fields", ""]
    for item in items:
        if item.matched is None:
            lines.append(f"- `{item.id}` {item.label} ({item.doc}): not found")
            continue
        problems = [
            f"{where} {', '.join(counts.wrong)}"
            for where, counts in (
                ("trial:", item.counts),
                ("arms:", item.arm_counts),
                ("cohorts:", item.cohort_counts),
            )
            if counts.wrong
        ]
        if problems:
            lines.append(
                f"- `{item.id}` {item.label}: wrong, missing or extra "
                + "; ".join(problems)
            )
    return lines if len(lines) > 2 else []


def _documents(
    gold: Sequence[ExtractionGoldRow], corpus: Mapping[str, Document]
) -> dict[str, Document]:
    documents = {}
    for row in gold:
        doc = find_document(corpus, row.doc)
        if doc is None:
            raise SarcolitError(
                f"gold row {row.id}: document {row.doc!r} is not in the corpus"
            )
        documents[row.doc] = doc
    return documents


def run_extraction_eval(
    gold: Sequence[ExtractionGoldRow],
    corpus: Mapping[str, Document],
    *,
    extract: ExtractFn,
    out_dir: Path,
    settings: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    vocabulary: Vocabulary | None = None,
) -> ExtractionRun:
    """Extract every gold document once, score the records, and write a run directory.

    Args:
        gold: Rows from :func:`~sarcolit.evals.gold.load_extraction_gold`.
        corpus: Documents keyed by corpus-relative path.
        extract: Returns the trial records of a document (rules or LLM).
        out_dir: The run directory to write (created if missing).
        settings: What was run (gold file, extractor), recorded in the results.
        progress: Called with (done, total) after each document.
        vocabulary: Resolves agent, class and subtype names of gold and
            predictions alike (default: the bundled vocabulary).
    """
    vocab = vocabulary or default_vocabulary()
    documents = _documents(gold, corpus)
    refs = list(dict.fromkeys(row.doc for row in gold))
    items: list[ExtractionItem] = []
    predicted: list[TrialRecord] = []
    for done, ref in enumerate(refs, start=1):
        records = list(extract(documents[ref]))
        predicted.extend(records)
        rows = [row for row in gold if row.doc == ref]
        pairs = match_records(rows, records, vocab)
        for g, row in enumerate(rows):
            record = records[pairs[g]] if g in pairs else None
            items.append(score_record(row, record, vocab))
        if progress is not None:
            progress(done, len(refs))
    by_id = {doc.id: doc for doc in documents.values()}
    order = {row.id: n for n, row in enumerate(gold)}
    items.sort(key=lambda item: order[item.id])
    results = RunResults(
        kind="extraction",
        settings={
            **(settings or {}),
            "gold records": str(len(items)),
            "predicted records": str(len(predicted)),
        },
        metrics=aggregate(items, len(predicted), grounding(predicted, by_id)),
        breakdown=per_field(items),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_results(out_dir, results)
    write_items(out_dir, items)
    plots = [
        plot_metrics(results, out_dir / "metrics.png"),
        plot_breakdown(results, out_dir / "fields.png", ["recall"]),
    ]
    write_report(out_dir, results, _details(items), plots)
    return ExtractionRun(run_dir=out_dir, results=results, items=tuple(items))
