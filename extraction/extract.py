"""Extract one document: the LLM when one is given, else (or on failure) the rules."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from sarcolit.core.errors import ExtractionError
from sarcolit.core.models import Document, TrialRecord
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.extraction.llm import extract_llm
from sarcolit.extraction.rules import extract_rules


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """The records of one document and notes on how they were made."""

    records: tuple[TrialRecord, ...]
    extractor: str
    notes: tuple[str, ...] = ()


def _cross_check(llm: list[TrialRecord], rules: list[TrialRecord]) -> list[TrialRecord]:
    """Note LLM trial-level values that the rule-based reading contradicts."""
    ruled: dict[tuple[str, float | None], set[float]] = {}
    for record in rules:
        for value in record.endpoints:
            ruled.setdefault((value.endpoint, value.timepoint_months), set()).add(
                value.value
            )
    checked = []
    for record in llm:
        notes = list(record.notes)
        for value in record.endpoints:
            seen = ruled.get((value.endpoint, value.timepoint_months))
            if seen and value.value not in seen:
                found = ", ".join(f"{v:g}" for v in sorted(seen))
                notes.append(
                    f"cross-check: rules read {value.endpoint} {found}, "
                    f"LLM {value.value:g}"
                )
        checked.append(record.model_copy(update={"notes": tuple(notes)}))
    return checked


def extract_document(
    document: Document,
    model: BaseChatModel | None = None,
    vocabulary: Vocabulary | None = None,
) -> DocumentResult:
    """Extract the trial records of ``document``.

    With no model, the rule-based extractor runs. With a model, its output is
    validated and grounded; when it fails twice the rule-based result is used
    and the reason is recorded in ``notes``. ``vocabulary`` defaults to the
    bundled one.
    """
    rules = extract_rules(document, vocabulary)
    if model is None:
        return DocumentResult(tuple(rules), "rules")
    try:
        records = extract_llm(document, model, vocabulary)
    except ExtractionError as exc:
        note = f"LLM output rejected ({exc}); rule-based result used"
        fallback = tuple(
            r.model_copy(update={"notes": (*r.notes, note)}) for r in rules
        )
        return DocumentResult(fallback, "rules", (note,))
    return DocumentResult(tuple(_cross_check(records, rules)), "llm")
