"""Numbers in a sentence: endpoint values, patient counts and time points.

Everything here works on one sentence of a document's normalised text and
returns absolute offsets. A value is a percentage ('18%', 'Seventeen
percent'), a duration ('4.7 months', '18 weeks') or a number of complete
responses ('1 CR', 'complete in two patients'); its interval ('(95% CI 8-21)',
'(2.6-4.7)') and its fraction ('seven (18%) of 40', '36.7% (11/30)') are
attached to it, never read as values of their own. Thresholds of the design
('a null response rate of 18%', 'at least 60%') and approximations ('almost
three years') are not values. Endpoint keywords are in :mod:`keywords`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sarcolit.extraction.numbers import (
    NUM,
    NUMBER,
    WORD,
    inside,
    interval_at,
    masked_spans,
    to_float,
)

MONTHS_PER = {"month": 1.0, "mo": 1.0, "week": 12 / 52.18, "wk": 12 / 52.18}
MONTHS_PER |= {"day": 12 / 365.25, "year": 12.0, "yr": 12.0}
_TIME = r"(?i:months?|mos?|weeks?|wks?|days?|years?|yrs?)"

_PERCENT = re.compile(
    rf"(?<![\w.])(?<!\d-)(?<!\d )({NUM})\s?%|({NUMBER})\s+(?i:per\s?cent)\b"
)
_DURATION = re.compile(rf"(?<![\w.-])({NUMBER})\s+({_TIME})\b")
# '14.3 and 10.7 months': the first of a pair shares the unit written after both.
_PAIRED = re.compile(rf"(?<![\w.-])({NUM})(?=\s*(?:,|and|or)\s+{NUM}\s+({_TIME})\b)")
_NOT_A_DURATION_BEFORE = re.compile(
    r"(?i:\b(?:at|within|after|beyond|over|by|lasting|up to|for|every|each|"
    r"exceeding|aged?|than|least|past|last)\s+)$"
)
_NOT_A_DURATION_AFTER = re.compile(
    r"(?i)\s*(?:or\s+(?:longer|more|older|greater)|of\s+age|old|later|earlier|"
    r"of\s+(?:follow|treatment|therapy))\b"
)
_THRESHOLD = re.compile(
    r"(?i:\b(?:null|target|threshold|prespecified|pre-specified|hypothesi[sz]ed|"
    r"considered|required|design\w*|boundary|cut-?off|goal|expected|assumed)"
    r"(?:\s+[\w-]+){0,5}\s+(?:of|at|was|is|to be|as)?\s*(?:at least\s+)?)$"
)
_APPROXIMATE = re.compile(
    r"(?i:\b(?:approached|almost|nearly|about|approximately|roughly|around|some|"
    r"up to|at least|at most)\s+)$"
)
_GREATER = re.compile(
    r"(?i:\b(?:exceeded|exceeding|greater than|more than|over|above)\s+)$"
)
_LESS = re.compile(r"(?i:\b(?:below|under|less than|fewer than)\s+)$")
_CR_COUNT = re.compile(
    rf"(?<![\w.])({NUMBER})\s+(?:CRs?\b|(?i:complete(?:\s+metabolic)?\s+"
    rf"(?:responses?|remissions?)|complete\s+and\s+{NUMBER}\s+partial\s+responses))"
)
_CR_IN = re.compile(
    rf"(?i:\bcomplete\s+in\s+)({NUMBER})\b|(?<![\w.])({NUMBER})\s+(?i:of\s+whose\s+"
    rf"responses?\s+(?:was|were)\s+complete|responses?\s+(?:was|were)\s+complete)"
)
_CR_NONE = re.compile(
    r"(?i)\b(?:none\s+of\s+the\s+responses\s+(?:was|were)\s+complete|"
    r"no\s+(?:patient|one)\s+(?:had|achieved)\s+a\s+complete\s+response|"
    r"no\s+complete\s+responses?|responses?,?\s+all\s+partial)"
)
# 'One patient with SyS and one with MRCLS had a complete response': each
# number in the subject of 'had a complete response' counts complete responses.
_HAD_CR = re.compile(
    r"(?i)\b(?:had|achieved)\s+(?:a\s+)?complete\s+(?:metabolic\s+)?responses?\b"
)
_CR_SUBJECT = re.compile(
    rf"({NUMBER})(?=\s+(?:(?i:patients?|pts)\b|(?i:with)\b|(?i:had|achieved)\b))"
)
_SUBJECT_LEAD = re.compile(r"(?i)(?:^|\band|,)\s*$")
_FRACTION = re.compile(
    rf"(?<![\w.])({NUMBER})\s*(?:\(\s*{NUM}\s?%[^)]*\)|\[\s*{NUM}\s?%\s*\])?\s+"
    rf"(?i:of)\s+(?:(?i:the|these|those|all)\s+)?(\d+|{NUMBER})\b"
    rf"|\(\s*(\d+)\s*/\s*(\d+)\b[^)]*\)|(?<![\w./])(\d+)\s*/\s*(\d+)(?![\w./])"
)
_TIMEPOINT = re.compile(
    rf"(?<![\w.-])({NUM}|{WORD})-({_TIME})(?![\w-])"
    rf"|\b(?i:at|after|by)\s+({NUMBER})\s+({_TIME})\b"
)

_MORE_POINTS = re.compile(
    rf"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or)\s+)({NUMBER})\s+({_TIME})\b"
)
"""'at 12 months and 24 months': a time point the list goes on with."""
_SHARED_POINTS = re.compile(
    rf"\b(?i:at|after|by)\s+{NUMBER}(?:\s*,\s*{NUMBER})*\s*,?\s+(?i:and|or)\s+"
    rf"(?P<last>{NUMBER})\s+(?P<unit>{_TIME})\b"
)
"""'at 12 and 24 months': numbers that share the unit written after the last."""
_NUMBER_RE = re.compile(NUMBER)


@dataclass(frozen=True, slots=True)
class Number:
    """A value with a unit found in a sentence, before it is bound to an endpoint."""

    start: int
    end: int
    value: float
    unit: str
    original_unit: str
    qualifier: str = "="
    ci: tuple[float, float] | None = None
    after: int = 0
    """Where the value's interval and fraction end (its keyword may follow)."""
    fraction: tuple[int, int] | None = None
    """(events, patients) written with the value: 'seven (18%) of 40'."""


@dataclass(frozen=True, slots=True)
class Timepoint:
    """A time point ('18-month', 'at 24 weeks') and its value in months."""

    start: int
    end: int
    text: str
    months: float


@dataclass(frozen=True, slots=True)
class Fraction:
    """'19 of 52', '(11/30)': events among a number of patients."""

    start: int
    end: int
    events: int
    patients: int
    patients_at: int = 0
    """Where the number of patients is written."""


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


def _label(value: float, unit: str) -> str:
    return f"{value:g} {_unit_text(value, unit)}"


def _point(start: int, end: int, number: str, unit_word: str) -> Timepoint:
    value, unit = to_float(number), unit_key(unit_word)
    return Timepoint(start, end, _label(value, unit), to_months(value, unit))


def timepoints(text: str, start: int, end: int) -> list[Timepoint]:
    """Return time points such as '18-month', 'Two-year' or 'at 24 weeks'.

    A list goes on: in 'at 12 months and 24 months' and 'at 12 and 24 months'
    both are time points (the first takes the unit written after the last).
    """
    found: list[Timepoint] = []
    for shared in _SHARED_POINTS.finditer(text, start, end):
        unit = shared.group("unit")
        lead = len(shared.group().split()[0])  # after 'at'
        for number in _NUMBER_RE.finditer(
            text, shared.start() + lead, shared.start("last")
        ):
            found.append(_point(*number.span(), number.group(), unit))
        found.append(
            _point(shared.start("last"), shared.end(), shared.group("last"), unit)
        )
    taken = [(t.start, t.end) for t in found]
    for match in _TIMEPOINT.finditer(text, start, end):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        if match.group(1):
            found.append(_point(*match.span(), match.group(1), match.group(2)))
            continue
        found.append(_point(*match.span(), match.group(3), match.group(4)))
        position = match.end()
        while more := _MORE_POINTS.match(text, position, end):
            found.append(
                _point(more.start(1), more.end(), more.group(1), more.group(2))
            )
            position = more.end()
    return sorted(found, key=lambda t: t.start)


def fractions(text: str, start: int, end: int) -> list[Fraction]:
    """Return 'N of M', 'N (X%) of M' and 'N/M' fractions."""
    found = []
    for match in _FRACTION.finditer(text, start, end):
        indexes = [i for i in range(1, 7) if match.group(i) is not None]
        events = int(to_float(match.group(indexes[0])))
        patients = int(to_float(match.group(indexes[1])))
        if 0 <= events <= patients:
            found.append(
                Fraction(
                    match.start(), match.end(), events, patients,
                    match.start(indexes[1]),
                )
            )  # fmt: skip
    return found


def _not_a_value(text: str, start: int, end: int, sentence_start: int) -> bool:
    before = text[max(sentence_start, start - 80) : start]
    return bool(_THRESHOLD.search(before) or _APPROXIMATE.search(before[-25:]))


def _qualifier(text: str, start: int) -> str:
    before = text[max(0, start - 20) : start]
    if _GREATER.search(before):
        return ">"
    return "<" if _LESS.search(before) else "="


def _unit_text(value: float, unit: str) -> str:
    return unit if value == 1 else f"{unit}s"


def _durations(
    text: str, start: int, end: int, masks: list[tuple[int, int]]
) -> list[Number]:
    found: list[Number] = []
    for pattern in (_DURATION, _PAIRED):
        for match in pattern.finditer(text, start, end):
            if inside(masks, match.start(), match.end()):
                continue
            if _NOT_A_DURATION_BEFORE.search(text, start, match.start()):
                continue
            if _NOT_A_DURATION_AFTER.match(text, match.end(), end):
                continue
            value, unit = to_float(match.group(1)), unit_key(match.group(2))
            found.append(
                Number(
                    match.start(), match.end(), value, "months", _unit_text(value, unit)
                )
            )
    return found


def _percents(
    text: str, start: int, end: int, masks: list[tuple[int, int]]
) -> list[Number]:
    found = []
    for match in _PERCENT.finditer(text, start, end):
        if inside(masks, match.start(), match.end()):
            continue
        value = to_float(match.group(1) or match.group(2))
        found.append(Number(match.start(), match.end(), value, "%", "%"))
    return found


def complete_responses(text: str, start: int, end: int) -> list[Number]:
    """Return numbers of complete responses ('1 CR', 'complete in two patients')."""
    found = []
    for match in _CR_COUNT.finditer(text, start, end):
        value = to_float(match.group(1))
        found.append(Number(match.start(), match.end(), value, "patients", "patients"))
    for match in _CR_IN.finditer(text, start, end):
        token = match.group(1) or match.group(2)
        value = to_float(token)
        found.append(Number(match.start(), match.end(), value, "patients", "patients"))
    for match in _CR_NONE.finditer(text, start, end):
        found.append(Number(match.start(), match.end(), 0.0, "patients", "patients"))
    for match in _HAD_CR.finditer(text, start, end):
        clause = max(text.rfind(c, start, match.start()) for c in ";:") + 1
        lead = max(clause, start)
        for subject in _CR_SUBJECT.finditer(text, lead, match.start()):
            if not _SUBJECT_LEAD.search(text[lead : subject.start()]):
                continue
            value = to_float(subject.group(1))
            found.append(
                Number(subject.start(1), subject.end(1), value, "patients", "patients")
            )
    return found


def numbers(text: str, start: int, end: int) -> list[Number]:
    """Return the percentages, durations and complete-response counts of a sentence.

    Time points, intervals, statistics and doses are not values; an interval
    or a fraction written with a value is attached to it.
    """
    masks = masked_spans(text, start, end)
    masks += [(t.start, t.end) for t in timepoints(text, start, end)]
    found = _percents(text, start, end, masks) + _durations(text, start, end, masks)
    found += complete_responses(text, start, end)
    kept = []
    for number in _dedupe(found):
        if number.unit != "patients" and _not_a_value(
            text, number.start, number.end, start
        ):
            continue
        kept.append(_with_extras(text, number, end, fractions(text, start, end)))
    return kept


def _dedupe(found: list[Number]) -> list[Number]:
    kept: list[Number] = []
    for number in sorted(found, key=lambda n: (n.start, n.start - n.end)):
        if not kept or number.start >= kept[-1].end:
            kept.append(number)
    return kept


def brackets_end(text: str, position: int, end: int) -> int:
    """Return where the brackets written right after ``position`` close."""
    while True:
        match = re.match(r"\s*([(\[])", text[position:end])
        if match is None:
            return position
        depth, index = 0, position + match.start(1)
        while index < end:
            depth += text[index] in "(["
            depth -= text[index] in ")]"
            index += 1
            if depth == 0:
                break
        position = index


def _with_extras(text: str, number: Number, end: int, found: list[Fraction]) -> Number:
    interval = interval_at(text, number.end, end)
    ci = None
    after = brackets_end(text, number.end, end)
    if interval is not None:
        after = max(after, interval.end)
        if interval.low is not None and interval.high is not None:
            ci = (interval.low, interval.high)
    fraction = _fraction_of(number, found)
    if fraction is not None and fraction.start >= number.start:
        after = max(after, fraction.end)
    return Number(
        number.start, number.end, number.value, number.unit, number.original_unit,
        _qualifier(text, number.start), ci, after,
        (fraction.events, fraction.patients) if fraction else None,
    )  # fmt: skip


def _fraction_of(number: Number, found: list[Fraction]) -> Fraction | None:
    """The fraction written around a percentage: '7 (18%) of 40', '25% (4/16)'."""
    if number.unit != "%":
        return None
    for fraction in found:
        around = fraction.start <= number.start and number.end <= fraction.end
        right_after = 0 <= fraction.start - number.end <= 3
        left_before = 0 <= number.start - fraction.end <= 2
        if around or right_after or left_before:
            return fraction
    return None


def is_number_word(token: str) -> bool:
    """Return True for a numeral or a number word."""
    return bool(re.fullmatch(NUMBER, token.strip()))
