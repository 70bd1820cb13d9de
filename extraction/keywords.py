"""Endpoint keywords: which endpoint a value in a sentence belongs to.

The keywords are the vocabulary's endpoint names, abbreviations, cues and
patterns (``[endpoints]`` in ``vocabulary.toml``). Each belongs to a *family*
(ORR, PFS, CR, ...); an entry that records no values (stable disease,
disease-free survival, follow-up, age, time to response, adverse events of any
grade) has the family ``none``: a value bound to it is dropped rather than
given to a neighbouring endpoint.
"""

from __future__ import annotations

import re

from sarcolit.extraction.mentions import NO_ENDPOINT, Finder, Keyword

__all__ = ["NO_ENDPOINT", "Keyword", "compatible", "keyword_after", "keywords"]

_FILLER = re.compile(
    r"\s*\)?\s*(?:(?i:(?:of\s+(?:the\s+)?)?(?:patients|pts|participants)\s+)?)"
    r"(?:(?i:median|objective|overall|confirmed|an?|the|had|have|achieved|"
    r"showed|with|were|was|remained|still|experienced|developed|any|at\s+least\s+one)"
    r"\s+)*"
)
_AE_NOUN = re.compile(r"(?i)\b(?:adverse|AEs?\b|TRAEs?\b|toxicit|events?\b|reactions?)")
_GRADE = "grade3plus_AE"


def keywords(text: str, start: int, end: int, find: Finder) -> list[Keyword]:
    """Return the endpoint keywords in ``text[start:end]``.

    A grade ('grade 3') counts only in a sentence about adverse events.
    """
    found = find.keywords(text, start, end)
    if any(k.family == _GRADE for k in found) and not _AE_NOUN.search(text, start, end):
        found = [k for k in found if k.family != _GRADE]
    return found


def keyword_after(text: str, position: int, end: int, find: Finder) -> Keyword | None:
    """Return the keyword right after a value ('25.0% ORR'), skipping fillers."""
    filler = _FILLER.match(text, position, end)
    return find.keyword_at(text, filler.end() if filler else position, end)


def compatible(family: str, unit: str, find: Finder) -> bool:
    """Return True when an endpoint family can take a value in ``unit``."""
    return family != NO_ENDPOINT and find.compatible(family, unit)
