"""Grounding: every value must be the document's text at its span, numbers included."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import JsonValue, ValidationError

from sarcolit.core.models import EVIDENCE_TEXTS, CountValue, EndpointValue, TrialRecord
from sarcolit.extraction.numbers import NUMBER, to_float

_NUMBER = re.compile(NUMBER)
_NONE = re.compile(r"(?i)\b(?:none|no)\b")


def validate_record(
    data: Mapping[str, JsonValue] | TrialRecord, texts: Mapping[str, str]
) -> TrialRecord:
    """Validate ``data`` as a record whose evidence must match ``texts``.

    Raises:
        pydantic.ValidationError: a quote is not the text at its span, or a value
            is implausible.
    """
    raw = data.model_dump() if isinstance(data, TrialRecord) else data
    return TrialRecord.model_validate(raw, context={EVIDENCE_TEXTS: dict(texts)})


def number_stated(value: float, quote: str) -> bool:
    """Return True when ``value`` is in ``quote`` (as digits, a word, or 'none')."""
    for match in _NUMBER.finditer(quote):
        if abs(to_float(match.group()) - value) < 1e-9:
            return True
    return value == 0 and bool(_NONE.search(quote))


def ungrounded_numbers(record: TrialRecord) -> list[str]:
    """Return a reason for each value whose number does not appear in its quote."""
    values: list[CountValue | EndpointValue] = [*record.counts, *record.endpoints]
    for arm in record.arms:
        values += [*arm.counts, *arm.endpoints]
    for cohort in record.cohorts:
        values += [*cohort.counts, *cohort.endpoints]
    problems = []
    for value in values:
        number = (
            value.original_value if isinstance(value, EndpointValue) else value.value
        )
        name = value.endpoint if isinstance(value, EndpointValue) else value.kind
        if not number_stated(float(number), value.evidence.quote):
            problems.append(
                f"{name} {number:g} is not stated in its quote "
                f"{value.evidence.quote[:80]!r}"
            )
    return problems


def ground(record: TrialRecord, texts: Mapping[str, str]) -> list[str]:
    """Return every grounding problem of ``record``; an empty list means grounded."""
    problems = []
    for evidence in record.evidence():
        text = texts.get(evidence.doc_id)
        if text is None:
            problems.append(f"unknown document {evidence.doc_id!r}")
            continue
        try:
            evidence.check(text)
        except ValueError as exc:
            problems.append(str(exc))
    return problems + ungrounded_numbers(record)


def validation_reason(exc: ValidationError) -> str:
    """Return a one-line summary of a validation error for notes and retries."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    return "; ".join(parts)
