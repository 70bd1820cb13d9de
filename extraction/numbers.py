"""Numbers as the literature writes them: numerals, words, intervals, fractions.

'Seventy-six', 'nineteen' and '0.61' are numbers; '95% CI 42-71',
'(95% CI: 13, 39)', '[95% confidence interval (CI) 32-40 months]',
'(95% CI, 6.0 to not estimable [NE])' and a bare '(2.6-4.7)' after a value
are intervals, not values; '19 of 52', '11/30' and 'four (40%) of ten' are
fractions whose denominator is a number of patients.

Number words are :mod:`sarcolit.core.text`'s ('zero' to 'ninety-nine').
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sarcolit.core.text import WORD_NUMBER_SOURCE, word_number_value

NUM = r"\d+(?:\.\d+)?"
WORD = rf"(?i:{WORD_NUMBER_SOURCE})"
"""A number written as a word ('Seventy-six'), case-insensitive (core.text's)."""
NUMBER = rf"(?:{NUM}|(?<![\w-]){WORD}(?![\w-]))"
"""A numeral or a number word."""
_NOT_REACHED = r"(?i:not\s+(?:reached|estimable|evaluable|reported)|NE|NR|NA|-)"
_BOUND = rf"(?:{NUM}\s*(?:%|(?i:months?|mo|weeks?|wk|days?|years?))?|{_NOT_REACHED})"
_LEVEL = r"(?:(?i:two-sided|one-sided)\s+)?\d{2}(?:\.\d)?\s?%\s*"
_CI_WORDS = r"(?i:CIs?|confidence\s+intervals?(?:\s*\(CI\))?|credible\s+intervals?)"
CI = re.compile(
    rf"\s*[(\[,;]\s*{_LEVEL}{_CI_WORDS}\s*(?:[:,=]|(?i:was|of))?\s*"
    rf"(?P<low>{_BOUND})\s*(?:-|(?i:to)|,)\s*(?P<high>{_BOUND})"
    rf"(?:\s*\[(?:NE|NR)\])?\s*[)\];]?"
)
"""A confidence interval with its level, in any of the styles real texts use."""
BARE_RANGE = re.compile(
    rf"\s*[(\[]\s*(?P<low>{NUM})\s*(?:%|(?i:months?|weeks?))?\s*(?:-|(?i:to)|,)\s*"
    rf"(?P<high>{NUM}|{_NOT_REACHED})\s*(?:%|(?i:months?|weeks?))?\s*(?:\[(?:NE|NR)\])?"
    r"\s*[)\]]"
)
"""'(2.6-4.7)' right after a value: its interval, written without a label."""
_LABELLED_RANGE = re.compile(
    rf"[(\[,;]\s*(?i:IQR|range|interquartile range|Q1,\s*Q3)\s*[:,]?\s*{NUM}"
    rf"\s*(?:%|[a-z]+)?\s*(?:-|(?i:to)|,)\s*{NUM}[^)\]]*[)\]]?"
)
_STATISTICS = re.compile(
    rf"(?i:\bp\s*[=<>]\s*\.?\d[\d.]*(?:\s*[x\u00d7]\s*10-?\d+)?|\bHR\b[^;,)]*?{NUM}|"
    rf"hazard ratio[^;,)]*?{NUM}|odds ratio[^;,)]*?{NUM}|"
    r"(?:one|two)-sided\s+(?:\u03b1|alpha)\s*=\s*[\d.]+|\d+% power)"
)
_DOSE = re.compile(
    rf"{NUM}\s*(?:-\s*{NUM}\s*)?(?i:mg(?:/(?:kg|m2|day))?|Gy|mL|PFU|\u03bcg|\u00b5g|g/m2)\b"
    rf"|{NUM}\s*[x\u00d7]\s*10\^?\d+|\b(?i:grade)\s*[1-5]\b|"
    r"\b(?i:phase)\s*(?:[1-3]|I{1,3})[ab]?(?:\s*/\s*(?:[1-3]|I{1,3})[ab]?)?\b|"
    r"\bv(?:ersion)?\s*\d+\.\d+|\b(?:RECIST|CTCAE)\s*v?\d+(?:\.\d+)?"
)

_MONTH = (
    r"January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)
_LABELS = re.compile(
    rf"\b\d{{2}}(?:\.\d)?\s?%\s*(?=(?i:CIs?\b|confidence\s+intervals?))|"
    rf"\bHLA-[A-Z0-9]+\*\d+(?::\d+)*|\b(?:{_MONTH})\.?\s+(?:\d{{1,2}},?\s+)?"
    r"(?:19|20)\d\d\b|\b\d{1,2}\s+(?:" + _MONTH + r")\.?\s+(?:19|20)\d\d\b"
)
"""Numbers that label rather than count: a CI's level ('% (95% CI)' in a header
without bounds), HLA alleles, dates ('January 2025')."""


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval (or a bare range) and the text it spans."""

    start: int
    end: int
    low: float | None
    high: float | None


def to_float(token: str) -> float:
    """Return the value of a numeral or a number word ('Seventy-six' -> 76)."""
    value = word_number_value(token)
    return float(token.replace(",", "")) if value is None else float(value)


def _bound(token: str) -> float | None:
    match = re.match(NUM, token.strip())
    return float(match.group()) if match else None


def interval_at(text: str, position: int, end: int) -> Interval | None:
    """Return the interval that starts right after a value at ``position``.

    Both labelled intervals ('(95% CI 8-21)', '; 92% CI 1-16') and a bare range
    in brackets ('(2.6-4.7)') count; a 'range' or 'IQR' does not.
    """
    for pattern in (CI, BARE_RANGE):
        match = pattern.match(text, position, end)
        if match is not None:
            low, high = _bound(match.group("low")), _bound(match.group("high"))
            return Interval(match.start(), match.end(), low, high)
    return None


def masked_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return spans whose numbers are never values (intervals, statistics, doses).

    Intervals and labelled ranges, p values and hazard ratios, doses, grades,
    phases, versions, HLA alleles and dates.
    """
    spans = [m.span() for m in CI.finditer(text, start, end)]
    for pattern in (_LABELLED_RANGE, _STATISTICS, _DOSE, _LABELS):
        spans += [m.span() for m in pattern.finditer(text, start, end)]
    return spans


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Return True when ``[start, end)`` overlaps one of ``spans``."""
    return any(s < end and start < e for s, e in spans)
