"""Endpoint keywords: which endpoint a value in a sentence belongs to.

Each keyword belongs to a *family* (ORR, PFS, CR, ...). The family ``none``
marks outcomes sarcolit does not record (stable disease, disease-free survival,
follow-up, age, time to response, serious adverse events): a value bound to it
is dropped rather than given to a neighbouring endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (family, pattern); earlier entries win when two match at the same place.
_GRADE = (
    r"grade\s*(?:(?:≥|>=)\s*3|3\s*(?:or|-|/|to|and)\s*(?:higher|more|above|greater|"
    r"worse|4|5|over)|3\+|3(?!\s*(?:or|-|/|to)\s*\d)|III)"
    r"(?:\s+(?:or|and|to)\s+[45])?"
)
_AE = (
    r"(?:adverse\s+(?:events?|reactions?)|AEs?|TRAEs?|toxicit(?:y|ies)|events?|"
    r"laboratory abnormalities)"
)
# (family, pattern); earlier entries win when two match at the same place.
KEYWORDS: list[tuple[str, str]] = [
    (
        "grade3plus_AE",
        rf"(?i:{_GRADE}(?:(?:\s+[\w-]+){{0,3}}?\s+{_AE})?|"
        rf"(?:severe|serious)\s+adverse\s+events?\s+of\s+{_GRADE})",
    ),
    ("pathologic_response", r"(?i:patholog(?:ic|ical) (?:complete )?respon\w*)|pCR"),
    (
        "none",
        r"(?i:(?:DOR|duration of response|response)s?\s+(?:of|lasting)\s+"
        r"(?:at least\s+)?\d+\s+(?:months?|weeks?)(?:\s+or\s+(?:longer|more))?|"
        r"duration of (?:therapy|treatment|exposure)|time to (?:first )?response|"
        r"appeared after|to emerge|took a median|follow-up|\bage[ds]?\b|"
        r"serious (?:treatment-\w+ )?adverse|partial responses?|partial in|"
        r"stable disease|progressive disease|progressed|disease-free survival|"
        r"recurrence-free|event-free|metastasis-free|relapse-free|alive\b(?! and free)|"
        r"(?:treatment-related |treatment-emergent )?adverse (?:events?|reactions?)|"
        r"toxicit(?:y|ies)|dose reduction|discontinu\w+|stopped|"
        r"agreed on (?:the )?response|agreement|concordan\w+)"
        r"|PR rates?|\bPRs?\b|\bSD\b|\bPD\b|DFS|EFS|RFS|NPR|TRAEs?|\bAEs?\b",
    ),
    (
        "DOR",
        r"(?i:duration of (?:the )?response|response duration|responses? lasted|"
        r"lasted a median|median duration(?! of (?:therapy|treatment|follow)))|"
        r"\bm?DOR\b",
    ),
    (
        "CR",
        r"(?i:complete (?:metabolic )?(?:responses?|remissions?)(?: rate)?)|\bCRs?\b",
    ),
    ("DCR", r"(?i:disease control(?: rate)?)|\bDCR\b"),
    ("CBR", r"(?i:clinical benefit(?: rate)?)|\bCBR\b"),
    (
        "PFS",
        r"(?i:progression[- ]free(?: survival| rate)?|free (?:of|from) progression|"
        r"non-?progression(?: rates?)?|alive and free of progression)|\bm?PFS\b",
    ),
    (
        "ORR",
        r"(?i:objective response rate|overall response rate|best (?:overall )?"
        r"response rate|response rate|objective responses?|overall responses?|"
        r"best (?:overall )?response|confirmed responses?|responses?|responded|"
        r"responders)|\bORR\b",
    ),
    ("OS", r"(?i:overall survival|survival)|\bm?OS\b"),
]
_KEYWORD_RE = re.compile(
    "|".join(f"(?P<k{i}>{pattern})" for i, (_, pattern) in enumerate(KEYWORDS))
)
_FILLER = re.compile(
    r"\s*\)?\s*(?:(?i:of\s+(?:the\s+)?(?:patients|pts)\s+)?)"
    r"(?:(?i:median|objective|overall|confirmed|an?|the|had|have|achieved|"
    r"showed|with|were|was|remained|still)\s+)*"
)
_AE_NOUN = re.compile(r"(?i)\b(?:adverse|AEs?\b|TRAEs?\b|toxicit|events?\b|reactions?)")
_PERCENT_FAMILIES = frozenset(
    {"ORR", "DCR", "CBR", "CR", "pathologic_response", "grade3plus_AE", "PFS", "OS"}
)
_DURATION_FAMILIES = frozenset({"PFS", "OS", "DOR"})


@dataclass(frozen=True, slots=True)
class Keyword:
    """An endpoint keyword found in the text."""

    start: int
    end: int
    family: str


def _keyword(match: re.Match[str]) -> Keyword:
    index = int((match.lastgroup or "k0")[1:])
    return Keyword(match.start(), match.end(), KEYWORDS[index][0])


def keywords(text: str, start: int, end: int) -> list[Keyword]:
    """Return the endpoint keywords in ``text[start:end]``."""
    found = [_keyword(m) for m in _KEYWORD_RE.finditer(text, start, end)]
    if any(k.family == "grade3plus_AE" for k in found) and not _AE_NOUN.search(
        text, start, end
    ):
        found = [k for k in found if k.family != "grade3plus_AE"]
    return found


def keyword_after(text: str, position: int, end: int) -> Keyword | None:
    """Return the keyword right after a value ('25.0% ORR'), skipping fillers."""
    filler = _FILLER.match(text, position, end)
    at = filler.end() if filler else position
    match = _KEYWORD_RE.match(text, at, end)
    return _keyword(match) if match else None


def compatible(family: str, unit: str) -> bool:
    """Return True when an endpoint family can take a value in ``unit``."""
    if unit == "%":
        return family in _PERCENT_FAMILIES
    if unit == "months":
        return family in _DURATION_FAMILIES
    return family == "CR"
