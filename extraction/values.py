"""Numbers in a sentence: endpoint values, patient counts, time points, intervals.

Everything here works on one sentence of a document's normalised text and
returns absolute offsets. Binding values to endpoints uses, in order: a keyword
right after the value ('25% ORR'), the last keyword before it since the previous
value ('an ORR of 18%'), the previous value's endpoint ('36.8% in LMS, 69.6% in
LPS'), and the first keyword anywhere in the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sarcolit.core.models import CountName
from sarcolit.core.text import WORD_NUMBER_SOURCE, word_number_value
from sarcolit.core.vocabulary import Vocabulary

NUM = r"\d+(?:\.\d+)?"
_NUMBER = rf"(?:{NUM}|(?i:{WORD_NUMBER_SOURCE}))"

MONTHS_PER = {"month": 1.0, "mo": 1.0, "week": 12 / 52.18, "wk": 12 / 52.18}
MONTHS_PER |= {"day": 12 / 365.25, "year": 12.0, "yr": 12.0}

# A range ('10-20%') is not a point value, so its upper end is not taken.
_PERCENT = re.compile(rf"(?<![\w.])(?<!\d-)(?<!\d )({NUM})\s?%")
_DURATION = re.compile(
    rf"(?<![\w.-])({_NUMBER})\s+((?i:months?|mos?|weeks?|wks?|days?|years?|yrs?))\b"
)
_CR_COUNT = re.compile(rf"(?<![\w.])({_NUMBER})\s+(?:CRs?\b|(?i:complete responses?))")
_NOT_A_VALUE = re.compile(
    r"(?i:\b(?:at|within|after|beyond|over|by|lasting|up to|for|every|each|"
    r"exceeding)\s+)$"
)
_TIMEPOINT = re.compile(
    rf"(?:(?<![\w.])({_NUMBER})-((?i:month|week|year|day))s?\b"
    rf"|\b(?i:at)\s+({_NUMBER})\s+((?i:month|week|year|day))s?\b)"
)
_CI = re.compile(
    rf"[(\[,;]\s*95\s?%\s*(?i:CI|confidence interval)[:,]?\s*({NUM})\s*(?:-|to|,)\s*"
    rf"({NUM})\s*(?:%|(?i:months?))?\s*[)\];]?"
)
_FRACTION = re.compile(r"\(\s*(\d+)\s*/\s*(\d+)\b([^)]*)\)")
_NOT_MODIFIER = r"(?!(?i:in|with|of|and|or|the|months?|weeks?|years?|days?)\b)"
_COUNT = re.compile(
    rf"(?<![\w.%/-])(?:\b[nN]\s*=\s*(\d+)|({_NUMBER})\s+((?:{_NOT_MODIFIER}[A-Za-z+]+\s+){{0,3}}?)"
    r"(?i:patients|participants|subjects|adults|children|cases)\b)"
)
_COUNT_KIND: list[tuple[CountName, re.Pattern[str]]] = [
    ("n_evaluable", re.compile(r"(?i:evaluable|assessable|evaluated for response)")),
    (
        "n_enrolled",
        re.compile(r"(?i:enrol+ed|enrol+ment|recruited|accrued|registered)"),
    ),
    ("n_treated", re.compile(r"(?i:treated|received|dosed|infused|were given)")),
]
_RESPONDERS = re.compile(rf"\s*\(\s*{NUM}\s?%\s*\)")
_OF_BEFORE = re.compile(r"\b\d+\s+of\s+$")
_GREATER = re.compile(
    r"(?i:\b(?:exceeded|exceeding|over|more than|greater than|above)\s+)$"
)
_LESS = re.compile(r"(?i:\b(?:below|under|less than|fewer than)\s+)$")

_FILLER = re.compile(r"\s*\)?\s*(?:(?i:median|objective|overall|an?|the)\s+)?")
NO_ENDPOINT = "none"
"""The family of a keyword whose values are not recorded ('partial response')."""


@dataclass(frozen=True, slots=True)
class Keyword:
    """An endpoint keyword found in the text."""

    start: int
    end: int
    family: str


@dataclass(frozen=True, slots=True)
class Number:
    """A number with a unit found in a sentence, before it is bound to an endpoint."""

    start: int
    end: int
    value: float
    unit: str
    original_unit: str
    qualifier: str = "="
    ci: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Timepoint:
    """A time point ('18-month', 'at 24 weeks') and its value in months."""

    start: int
    end: int
    text: str
    months: float


@dataclass(frozen=True, slots=True)
class Count:
    """A number of patients and which kind it is."""

    start: int
    end: int
    value: int
    kind: CountName


def to_float(token: str) -> float:
    """Return the value of a numeral or a number word ('twelve', 'Twenty-one')."""
    value = word_number_value(token)
    return float(token) if value is None else float(value)


def unit_key(unit: str) -> str:
    """Return the singular key of a time unit ('weeks' -> 'week')."""
    unit = unit.lower().rstrip("s")
    return {"mo": "month", "wk": "week", "yr": "year"}.get(unit, unit)


def to_months(value: float, unit: str) -> float:
    """Convert a duration to months (a month is 1/12 of a 365.25-day year).

    Raises:
        ValueError: ``unit`` is not a duration (days, weeks, months, years).
    """
    factor = MONTHS_PER.get(unit_key(unit))
    if factor is None:
        raise ValueError(f"{unit!r} is not a unit of time (use days, weeks, months)")
    return value * factor


def _family(vocab: Vocabulary, endpoint: str) -> str:
    return endpoint if vocab.endpoint_values(endpoint) else NO_ENDPOINT


def keywords(text: str, start: int, end: int, vocab: Vocabulary) -> list[Keyword]:
    """Return the endpoint keywords in ``text[start:end]``."""
    return [
        Keyword(m.start, m.end, _family(vocab, m.value))
        for m in vocab.endpoint_keywords(text, start, end)
    ]


def keyword_after(
    text: str, position: int, end: int, vocab: Vocabulary
) -> Keyword | None:
    """Return the keyword right after a value ('25.0% ORR'), skipping fillers."""
    filler = _FILLER.match(text, position, end)
    at = filler.end() if filler else position
    found = vocab.endpoint_keyword_at(text, at, end)
    if found is None:
        return None
    return Keyword(found.start, found.end, _family(vocab, found.value))


def compatible(family: str, unit: str, vocab: Vocabulary) -> bool:
    """Return True when an endpoint family can take a value in ``unit``."""
    return unit in vocab.endpoint_values(family)


def timepoints(text: str, start: int, end: int) -> list[Timepoint]:
    """Return time points such as '18-month' or 'at 24 weeks'."""
    found = []
    for match in _TIMEPOINT.finditer(text, start, end):
        number = match.group(1) or match.group(3)
        unit = unit_key(match.group(2) or match.group(4))
        value = to_float(number)
        plural = "" if value == 1 else "s"
        label = f"{number.lower()} {unit}{plural}"
        found.append(
            Timepoint(match.start(), match.end(), label, to_months(value, unit))
        )
    return found


def _masks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = [m.span() for m in _CI.finditer(text, start, end)]
    spans += [m.span() for m in _FRACTION.finditer(text, start, end)]
    spans += [(t.start, t.end) for t in timepoints(text, start, end)]
    return spans


def _masked(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start < e or s < end <= e for s, e in spans)


def _qualifier(text: str, start: int) -> str:
    before = text[max(0, start - 20) : start]
    if _GREATER.search(before):
        return ">"
    return "<" if _LESS.search(before) else "="


def numbers(text: str, start: int, end: int) -> list[Number]:
    """Return the percentages, durations and complete-response counts of a sentence.

    Time points, confidence intervals and response fractions are not values;
    a confidence interval right after a value is attached to it.
    """
    masks = _masks(text, start, end)
    found: list[Number] = []
    for match in _PERCENT.finditer(text, start, end):
        if not _masked(masks, *match.span()):
            value = float(match.group(1))
            found.append(Number(match.start(), match.end(), value, "%", "%"))
    for match in _DURATION.finditer(text, start, end):
        if _masked(masks, *match.span()) or _NOT_A_VALUE.search(
            text, start, match.start()
        ):
            continue
        value = to_float(match.group(1))
        unit = unit_key(match.group(2))
        plural = "" if value == 1 else "s"
        found.append(
            Number(match.start(), match.end(), value, "months", f"{unit}{plural}")
        )
    for match in _CR_COUNT.finditer(text, start, end):
        value = to_float(match.group(1))
        found.append(Number(match.start(), match.end(), value, "patients", "patients"))
    found = _dedupe(found)
    return [_with_extras(text, n, end) for n in sorted(found, key=lambda n: n.start)]


def _dedupe(found: list[Number]) -> list[Number]:
    kept: list[Number] = []
    for number in sorted(found, key=lambda n: (n.start, n.start - n.end)):
        if not kept or number.start >= kept[-1].end:
            kept.append(number)
    return kept


def _with_extras(text: str, number: Number, end: int) -> Number:
    ci_match = _CI.match(text, number.end, end) or _CI.match(text, number.end + 1, end)
    ci = None
    if ci_match:
        ci = (float(ci_match.group(1)), float(ci_match.group(2)))
    qualifier = _qualifier(text, number.start)
    return Number(
        number.start, number.end, number.value, number.unit, number.original_unit,
        qualifier, ci,
    )  # fmt: skip


def counts(text: str, start: int, end: int) -> list[Count]:
    """Return numbers of patients with their kind (enrolled, treated, evaluable)."""
    found: list[Count] = []
    for match in _FRACTION.finditer(text, start, end):
        after_percent = text[max(0, match.start() - 2) : match.start()].strip()
        if "evaluable" in match.group(3).lower() or after_percent.endswith("%"):
            n = int(match.group(2))
            found.append(Count(match.start(), match.end(), n, "n_evaluable"))
    for match in _COUNT.finditer(text, start, end):
        if _RESPONDERS.match(text, match.end(), end):
            continue  # 'Three patients (21%) achieved ...' counts responders
        token = match.group(1) or match.group(2)
        value = int(to_float(token))
        if value <= 0:
            continue
        kind = _count_kind(text, match, end)
        found.append(Count(match.start(), match.end(), value, kind))
    return sorted(found, key=lambda c: c.start)


def _count_kind(text: str, match: re.Match[str], end: int) -> CountName:
    if _OF_BEFORE.search(text, max(0, match.start() - 12), match.start()):
        return "n_evaluable"
    window = text[match.start() : min(end, match.end() + 60)]
    for kind, pattern in _COUNT_KIND:
        if pattern.search(window):
            return kind
    return "n_enrolled"
