"""Grounding: every value must be the document's text at its span, numbers included."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import JsonValue, ValidationError

from sarcolit.core.models import (
    EVIDENCE_TEXTS,
    CountValue,
    EndpointValue,
    Evidence,
    TrialRecord,
)
from sarcolit.core.text import words_to_digits

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


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


_NONE = re.compile(r"(?i)\b(?:none|no)\b")


def number_stated(value: float, quote: str) -> bool:
    """Return True when ``value`` is in ``quote`` (as digits, words, or 'none')."""
    if value == 0 and _NONE.search(quote):
        return True  # 'none of the responses was complete'
    return any(
        abs(float(match.group()) - value) < 1e-9
        for match in _NUMBER.finditer(words_to_digits(quote))
    )


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


def evidence_problem(evidence: Evidence, texts: Mapping[str, str]) -> str:
    """Return why a quote is not its document's text at its span ('' if it is)."""
    text = texts.get(evidence.doc_id)
    if text is None:
        return f"unknown document {evidence.doc_id!r}"
    try:
        evidence.check(text)
    except ValueError as exc:
        return str(exc)
    return ""


def ground(record: TrialRecord, texts: Mapping[str, str]) -> list[str]:
    """Return every grounding problem of ``record``; an empty list means grounded."""
    problems = [evidence_problem(e, texts) for e in record.evidence()]
    return [p for p in problems if p] + ungrounded_numbers(record)


def validation_reason(exc: ValidationError) -> str:
    """Return a one-line summary of a validation error for notes and retries."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    return "; ".join(parts)
