"""What a sentence states: entities, endpoints, time points and values.

Shared by question understanding and evidence checks, so that a question and a
sentence are read the same way: "objective response rate", "ORR" and
"responded" are one endpoint; "12-week", "at 12 weeks" and "12 weeks or longer"
one time point; "Seventy-six" a number; "(95% CI: 13, 39)", "[95% CI 32-40
months]" and "(95% CI, 6.0 to not estimable [NE])" confidence intervals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sarcolit.core.models import Tags
from sarcolit.ingest.numbers import words_to_digits
from sarcolit.ingest.tags import subtype_label, subtype_names, tag_text

# Endpoint -> pattern. Upper-case abbreviations match case-sensitively.
_ENDPOINT_PATTERNS: dict[str, str] = {
    "ORR": r"(?i:\b(?:objective|overall|best|confirmed|partial)\s+(?:\w+\s+)?"
    r"respon(?:se|ses|ders?)\b|\bresponse rates?\b|\brespond(?:ed|ers?)?\b)"
    r"|\b(?:ORR|BOR|PRs?)\b",
    "CR": r"(?i:\bcomplete (?:metabolic |pathologic )?(?:response|remission)s?\b)"
    r"|\bCRs?\b",
    "DCR": r"(?i:\bdisease control\b)|\bDCR\b",
    "CBR": r"(?i:\bclinical benefit\b)|\bCBR\b",
    "PFS": r"(?i:\bprogression[- ]free\b|\bnon-?progression\b"
    r"|\bfree (?:of|from) progression\b)|\bm?PFS\b",
    "OS": r"(?i:\boverall survival\b)|\bm?OS\b",
    "DOR": r"(?i:\bduration of (?:the )?responses?\b|\bresponse duration\b"
    r"|\brespon(?:se|ses|ders?) (?:lasted|last|lasting)\b|\blasted a median\b"
    r"|\bkept (?:their|the) response\b)|\bm?DOR\b",
    "TTR": r"(?i:\btime to (?:first )?response\b"
    r"|\brespon(?:se|ses) (?:appeared|emerged|took)\b|\bto emerge\b)|\bTTR\b",
    "DFS": r"(?i:\b(?:disease|recurrence|event|relapse)[- ]free\b)|\b(?:DFS|EFS|RFS)\b",
    "HR": r"(?i:\bhazard ratio\b)|\bHR\b",
    "AE": r"(?i:\badverse (?:events?|reactions?)\b|\btoxicit(?:y|ies)\b"
    r"|\bside effects?\b)|\b(?:TR|TE|ir)?AEs?\b",
    "SD": r"(?i:\bstable disease\b)|\bSD\b",
    "FU": r"(?i:\bfollow-?up\b)",
}
_ENDPOINTS = {name: re.compile(p) for name, p in _ENDPOINT_PATTERNS.items()}
ENDPOINT_LABELS = {
    "ORR": "response rate",
    "CR": "complete response",
    "DCR": "disease control rate",
    "CBR": "clinical benefit rate",
    "PFS": "PFS",
    "OS": "OS",
    "DOR": "duration of response",
    "TTR": "time to response",
    "DFS": "disease-free survival",
    "HR": "hazard ratio",
    "AE": "adverse events",
    "SD": "stable disease",
    "FU": "follow-up",
}
# "duration of response" also says "response": it is not a response rate.
_SHADOWS = {"DOR": ("ORR",), "TTR": ("ORR",), "CR": ("ORR",), "FU": ()}

_UNITS = {"week": 12 / 52, "month": 1.0, "year": 12.0, "day": 12 / 365}
_NUMBER = r"\d+(?:\.\d+)?"


def _unit(name: str) -> str:
    return rf"(?P<{name}>week|month|year|day)s?"


# Time points of a rate, not durations: "12-week", "6- and 12-month", "at 24
# weeks", "3 months or longer", "within 6 months".
_TIMEPOINT = re.compile(
    rf"\b(?P<n1>{_NUMBER})(?P<also>(?:-?(?:,| and| or) {_NUMBER})*)-{_unit('u1')}\b"
    rf"|\b(?:at|within|by|beyond) (?P<n2>{_NUMBER}) {_unit('u2')}\b"
    rf"|\b(?P<n3>{_NUMBER}) {_unit('u3')} or (?:longer|more|beyond)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(rf"{_NUMBER}\s*%|\b{_NUMBER} ?per ?cent\b", re.IGNORECASE)
_DURATION = re.compile(
    rf"\b{_NUMBER}\s*(?:months?|mo|weeks?|wk|years?|yr|days?)\b", re.IGNORECASE
)
_FRACTION = re.compile(r"\b\d+ (?:of|out of) (?:the )?\d+\b|\b\d+/\d+\b")
# A number, not part of a name ("PD-1", "CTLA-4", "SARC028", "A*02:01").
_ANY_NUMBER = re.compile(r"(?<![\w.*:])(?<![A-Za-z]-)\d+(?:\.\d+)?(?![A-Za-z*:])")
_REFERENCE = re.compile(r"[(\[]\d+(?:\s*[,;-]\s*\d+)*[)\]]")
_CI = re.compile(
    r"\b\d{2}\s*%\s*(?:CI|confidence interval)"
    r"|\bconfidence interval\b|\(\s*\d+(?:\.\d+)?\s*[-,]\s*\d+(?:\.\d+)?\s*\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimePoint:
    """A time point as written ('12-week') and in months (2.8)."""

    label: str
    months: float

    def matches(self, other: TimePoint) -> bool:
        """Return True for the same time point (52 weeks is 12 months)."""
        return abs(self.months - other.months) <= 0.05 * max(self.months, 1.0)


def digits(text: str) -> str:
    """Return ``text`` with number words as digits ('Seventy-six' -> '76')."""
    return words_to_digits(text, keep_one=False)


# Abbreviations sarcoma texts use that the vocabulary leaves out because they
# mean other things elsewhere (LPS is also lipopolysaccharide).
_EXTRA_SUBTYPES = {"LPS": re.compile(r"\bLPS\b")}


@lru_cache(maxsize=32768)
def entities_in(text: str) -> Tags:
    """Return the trials, NCT ids, agents, classes and subtypes ``text`` names."""
    tags = tag_text(text)
    extra = [code for code, p in _EXTRA_SUBTYPES.items() if p.search(text)]
    if extra:
        subtypes = tuple(sorted({*tags.subtypes, *extra}))
        tags = tags.model_copy(update={"subtypes": subtypes})
    return tags


def _children() -> dict[str, frozenset[str]]:
    """Map each subtype to the narrower subtypes its name ends ('LPS' -> DDLPS...)."""
    labels = {code: subtype_label(code).lower() for code in subtype_names()}
    return {
        code: frozenset(
            other
            for other, name in labels.items()
            if other != code and name.endswith(" " + label)
        )
        for code, label in labels.items()
    }


_CHILDREN = _children()


def subtype_covers(asked: str, found: str) -> bool:
    """Return True when a passage about ``found`` is about subtype ``asked``."""
    return found == asked or found in _CHILDREN.get(asked, frozenset())


def endpoints_in(text: str) -> frozenset[str]:
    """Return the endpoints ``text`` names ('ORR', 'PFS', 'DOR' ...)."""
    found = {name for name, pattern in _ENDPOINTS.items() if pattern.search(text)}
    for name, shadowed in _SHADOWS.items():
        if name in found:
            for other in shadowed:
                # "duration of response" alone names no response rate.
                bare = _ENDPOINTS[name].sub(" ", text)
                if not _ENDPOINTS[other].search(bare):
                    found.discard(other)
    return frozenset(found)


def first_endpoint(text: str) -> str | None:
    """Return the endpoint ``text`` names first ('stable disease as best response'
    asks for stable disease), or None.
    """
    found = endpoints_in(text)
    positions = {
        name: match.start()
        for name in found
        if (match := _ENDPOINTS[name].search(text)) is not None
    }
    return min(positions, key=lambda n: positions[n]) if positions else None


def timepoints_in(text: str) -> tuple[TimePoint, ...]:
    """Return the time points of rates ``text`` names, in order."""
    points: list[TimePoint] = []
    for match in _TIMEPOINT.finditer(digits(text)):
        key = next(k for k in ("1", "2", "3") if match.group("n" + k) is not None)
        unit = match.group("u" + key).lower()
        also = re.findall(_NUMBER, match.group("also") or "") if key == "1" else []
        for value in (match.group("n" + key), *also):
            months = float(value) * _UNITS[unit]
            points.append(TimePoint(label=f"{value}-{unit}", months=months))
    return tuple(dict.fromkeys(points))


_NOT_VALUES = re.compile(
    rf"\bphases?\s+(?:[IV]+|\d)(?:[ab]|/(?:[IV]+|\d))*\b"
    rf"|\bgrades?\s*(?:[<>]=?|\u2265)?\s*\d(?:\s*(?:-|/|or|to|and)\s*\d)*\b"
    rf"|\b(?:at least|or more|more than|fewer than|less than|exceed(?:ed|s)?|above|"
    rf"below|at|within|by|after|beyond)\s+{_NUMBER}\s*(?:%|{_unit('u')})?"
    rf"|{_NUMBER}\s*(?:%|{_unit('w')})?\s*or (?:more|longer|higher|greater|better)"
    rf"|[<>\u2265\u2264]=?\s*{_NUMBER}\s*%?"
    rf"|\b{_NUMBER}-{_unit('v')}\b|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)


def value_text(text: str) -> str:
    """Return ``text`` with number words as digits and without numbers that are
    not results: phases, grades, time points, thresholds, years, references.
    """
    return _NOT_VALUES.sub(" ", _REFERENCE.sub(" ", digits(text)))


def has_percent(text: str) -> bool:
    """Return True when ``text`` states a percentage or an 'n of N' proportion."""
    text = value_text(text)
    return bool(_PERCENT.search(text) or _FRACTION.search(text))


def has_duration(text: str) -> bool:
    """Return True when ``text`` states a duration ('4.1 months', '18 weeks')."""
    return bool(_DURATION.search(value_text(text)))


def has_number(text: str) -> bool:
    """Return True when ``text`` states a number other than a reference marker."""
    return bool(_ANY_NUMBER.search(value_text(text)))


def has_ci(text: str) -> bool:
    """Return True when ``text`` gives a confidence interval, in any of its styles."""
    return bool(_CI.search(text))


def endpoint_text(text: str, endpoint: str) -> str:
    """Return the parts of ``text`` that speak of ``endpoint``.

    A sentence is cut into clauses at semicolons; in a clause that names several
    endpoints, each number belongs to the nearest endpoint named before or after
    it ("Twelve patients responded; among them, 67% had a DOR of 6 months": the
    67% is a duration-of-response share, not a response rate).
    """
    pattern = _ENDPOINTS[endpoint]
    kept: list[str] = []
    for clause in _clauses(text):
        mine = [m.start() for m in pattern.finditer(clause)]
        if not mine:
            continue
        others = [
            m.start()
            for name, other in _ENDPOINTS.items()
            if name != endpoint
            for m in other.finditer(clause)
            if not any(abs(m.start() - x) < 3 for x in mine)
        ]
        if not others:
            kept.append(clause)
            continue
        pieces = [
            match.group()
            for match in re.finditer(r"\S+", clause)
            if _nearest_is(match.start(), mine, others)
        ]
        kept.append(" ".join(pieces))
    return " ; ".join(kept)


def _nearest_is(position: int, mine: list[int], others: list[int]) -> bool:
    best_mine = min(abs(position - x) for x in mine)
    return best_mine <= min(abs(position - x) for x in others)


def _clauses(text: str) -> list[str]:
    """Split at semicolons that are not inside parentheses or brackets."""
    clauses, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        elif char == ";" and depth == 0:
            clauses.append(text[start:i].strip())
            start = i + 1
    clauses.append(text[start:].strip())
    return [c for c in clauses if c]
