"""What a sentence states: entities, endpoints, time points and values.

Shared by question understanding and evidence checks, so that a question and a
sentence are read the same way: "objective response rate", "ORR" and
"responded" are one endpoint; "12-week", "at 12 weeks" and "12 weeks or longer"
one time point; "Seventy-six" a number; "(95% CI: 13, 39)", "[95% CI 32-40
months]" and "(95% CI, 6.0 to not estimable [NE])" confidence intervals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from sarcolit.core.models import Tags
from sarcolit.core.text import strip_citation_markers, words_to_digits
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest import tag_text

# Endpoints that are one thing when a question and a sentence are compared.
_SAME = {"median_PFS": "PFS", "grade3plus_AE": "AE", "RFS": "DFS", "EFS": "DFS"}

_UNITS = {"week": 12 / 52, "month": 1.0, "year": 12.0, "day": 12 / 365}
_NUMBER = r"\d+(?:\.\d+)?"


def _unit(name: str) -> str:
    return rf"(?P<{name}>week|month|year|day)s?"


# Time points of a rate, not durations: "12-week", "6- and 12-month", "at 24
# weeks", "3 months or longer", "within 6 months".
_TIMEPOINT = re.compile(
    rf"\b(?P<n1>{_NUMBER})(?P<also>(?:-?(?:,| and| or) {_NUMBER})*)-{_unit('u1')}\b"
    rf"|\b(?:at|within|by|beyond|at least|over) (?P<n2>{_NUMBER}) {_unit('u2')}\b"
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


def entities_in(
    text: str, vocabulary: Vocabulary, defined: Mapping[str, str] | None = None
) -> Tags:
    """Return the trials, NCT ids, agents, classes and subtypes ``text`` names.

    ``defined`` maps abbreviations a document defines for itself to subtypes
    ("liposarcoma (LPS)" makes LPS liposarcoma in that document).
    """
    tags = _tags(text, vocabulary)
    extra = [code for abbr, code in (defined or {}).items() if _has_word(text, abbr)]
    if not extra:
        return tags
    return tags.model_copy(update={"subtypes": tuple(sorted({*tags.subtypes, *extra}))})


@lru_cache(maxsize=32768)
def _tags(text: str, vocabulary: Vocabulary) -> Tags:
    return tag_text(text, vocabulary)


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


_WORDS = r"[\w/-]+(?: [\w/-]+){0,4}"
_DEFINITION = re.compile(
    rf"(?P<name>[A-Za-z]{_WORDS}) \((?P<abbr>[A-Z][A-Za-z]{{1,6}})\)"
    rf"|(?<![\w-])(?P<abbr2>[A-Z][A-Za-z]{{1,6}}), (?P<name2>[a-z]{_WORDS})"
)


def defined_subtypes(text: str, vocabulary: Vocabulary) -> dict[str, str]:
    """Return the subtype abbreviations a text defines that the vocabulary lacks.

    "undifferentiated pleomorphic sarcoma (UPS) and liposarcoma (LPS)" and an
    abbreviation list "LPS, liposarcoma;" both define LPS.
    """
    found: dict[str, str] = {}
    for match in _DEFINITION.finditer(text):
        abbr = match.group("abbr") or match.group("abbr2")
        name = match.group("name") or match.group("name2")
        if abbr in found or _tags(abbr, vocabulary).subtypes:
            continue
        for start in range(len(name.split())):  # the shortest tail that names one
            tail = " ".join(name.split()[start:])
            code = vocabulary.canonical_subtype(tail)
            if code is not None and not vocabulary.is_broad(code):
                found[abbr] = code
                break
    return found


def subtype_covers(asked: str, found: str, vocabulary: Vocabulary) -> bool:
    """Return True when a passage about ``found`` is about subtype ``asked``."""
    return found == asked or found in vocabulary.subtype_descendants(asked)


def _key(endpoint: str) -> str:
    return _SAME.get(endpoint, endpoint)


def endpoint_mentions(text: str, vocabulary: Vocabulary) -> list[tuple[int, int, str]]:
    """Return (start, end, endpoint) of each endpoint ``text`` names, in order."""
    return [(m.start, m.end, _key(m.value)) for m in vocabulary.endpoint_keywords(text)]


def endpoints_in(text: str, vocabulary: Vocabulary) -> frozenset[str]:
    """Return the endpoints ``text`` names ('ORR', 'PFS', 'DOR' ...)."""
    return frozenset(name for _, _, name in endpoint_mentions(text, vocabulary))


def first_endpoint(text: str, vocabulary: Vocabulary) -> str | None:
    """Return the endpoint ``text`` names first, or None.

    "stable disease as best response" asks for stable disease.
    """
    found = endpoint_mentions(text, vocabulary)
    return found[0][2] if found else None


def endpoint_label(endpoint: str, vocabulary: Vocabulary) -> str:
    """Return how an endpoint is written out ('ORR' -> 'objective response rate')."""
    spec = vocabulary.endpoints.get(endpoint)
    return spec.label if spec is not None and spec.label else endpoint


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
    """Return ``text`` with number words as digits, without non-result numbers.

    Phases, grades, time points, thresholds, years and reference markers go.
    """
    return _NOT_VALUES.sub(" ", strip_citation_markers(digits(text)))


_SHARE_WORDS = re.compile(
    r"\b(?:(?:one|two|a|1|2)[- ](?:third|quarter|fifth)s?|half|(?:three|3)[- ]quarters|"
    r"\d+ in \d+|majority|minority)\b",
    re.IGNORECASE,
)


# A result stated as a bound ("the two-year OS rate exceeded 80%") is a value;
# "at least 20%" more often sets a target.
_BOUND = re.compile(
    rf"\b(?:exceed(?:ed|s|ing)?|surpass(?:ed|es)?|more than|greater than|over)\s+"
    rf"{_NUMBER}\s*%",
    re.IGNORECASE,
)


def has_percent(text: str) -> bool:
    """Return True when ``text`` states a share: '37%', '19 of 52', 'one-third'."""
    bound = _BOUND.search(strip_citation_markers(digits(text)))
    text = value_text(text)
    return bool(
        _PERCENT.search(text)
        or _FRACTION.search(text)
        or _SHARE_WORDS.search(text)
        or bound
    )


def has_duration(text: str) -> bool:
    """Return True when ``text`` states a duration ('4.1 months', '18 weeks')."""
    return bool(_DURATION.search(value_text(text)))


def has_number(text: str) -> bool:
    """Return True when ``text`` states a number other than a reference marker."""
    return bool(_ANY_NUMBER.search(value_text(text)))


def has_ci(text: str) -> bool:
    """Return True when ``text`` gives a confidence interval, in any of its styles."""
    return bool(_CI.search(text))


def endpoint_text(text: str, endpoint: str, vocabulary: Vocabulary) -> str:
    """Return the parts of ``text`` that speak of ``endpoint``.

    A sentence is cut into clauses at semicolons; in a clause that names several
    endpoints, each word belongs to the nearest endpoint named before or after
    it ("Twelve patients responded; among them, 67% had a DOR of 6 months": the
    67% is a duration-of-response share, not a response rate).
    """
    kept: list[str] = []
    for clause in _clauses(text):
        found = endpoint_mentions(clause, vocabulary)
        if not any(name == endpoint for _, _, name in found):
            continue
        if all(name == endpoint for _, _, name in found):
            kept.append(clause)
            continue
        pieces = [
            match.group()
            for match in re.finditer(r"\S+", clause)
            if _owner(match.start(), found) == endpoint
        ]
        kept.append(" ".join(pieces))
    return " ; ".join(kept)


def _owner(position: int, mentions: list[tuple[int, int, str]]) -> str:
    """Return the endpoint a word at ``position`` belongs to: the nearest mention.

    A value after its endpoint ("the ORR was 50%") goes before one after it.
    """

    def gap(mention: tuple[int, int, str]) -> float:
        start, end, _ = mention
        if start <= position < end:
            return 0.0
        return position - end if position >= end else 1.5 * (start - position)

    return min(mentions, key=gap)[2]


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
