"""Lenient text matching for scoring: number normalisation, facts, key terms.

Answers say "18 %", "18%", "eighteen percent" or "18.0%" for the same fact, so
facts are compared after :func:`canonical`, which folds these spellings into
one. Everything here is deterministic and pure.
"""

from __future__ import annotations

import re

from sarcolit.core.text import STOPWORDS, strip_citation_markers, words_to_digits
from sarcolit.ingest import normalize

_PERCENT_WORD = re.compile(r"\s*\b(?:per\s?cent|percent)\b")
_SPACE_BEFORE_PERCENT = re.compile(r"(?<=\d)\s+%")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_TRAILING_ZEROS = re.compile(r"(\d+)\.(\d*?)0+(?!\d)")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
_WORD = re.compile(r"[a-z][a-z0-9]*")

# Not key terms either: hedges and connectives, which search does not drop
# (they change BM25's document lengths, and its ranks), and words every answer
# and passage of this field shares.
_REPORT_WORDS = """
    although among either even however may might much must neither per thus upon
    us via whereas whose within without yet

    report reports show shows demonstrated achieved achieving yielded observed
    exhibited including compared cohort cohorts rate rates respectively overall
    approximately nearly versus using used
"""
_NOT_KEY_TERMS = STOPWORDS | frozenset(_REPORT_WORDS.split())


def _strip_zeros(match: re.Match[str]) -> str:
    whole, fraction = match.group(1), match.group(2)
    return f"{whole}.{fraction}" if fraction else whole


def canonical(text: str) -> str:
    """Return ``text`` lower-cased with numbers, percents and markers folded.

    Normalises like ingest does, drops ``[n]`` citation markers, turns number
    words into digits ("eighteen" -> "18"), "percent" and "18 %" into "18%",
    drops thousands separators ("1,407" -> "1407") and trailing decimal zeros
    ("80.0" -> "80"), and collapses whitespace.
    """
    text = normalize(text).lower()
    text = strip_citation_markers(text)
    text = words_to_digits(text)
    text = _PERCENT_WORD.sub("%", text)
    text = _SPACE_BEFORE_PERCENT.sub("%", text)
    text = _THOUSANDS.sub("", text)
    text = _TRAILING_ZEROS.sub(_strip_zeros, text)
    return _SPACES.sub(" ", text).strip()


def contains_fact(text: str, fact: str) -> bool:
    """Return True if ``fact`` occurs in ``text`` after :func:`canonical` folding.

    The match respects boundaries, so "5%" is not found in "25%" and "18" is not
    found in "184" or "1.8"; a bare number does match a percentage ("18" in
    "18%"), but not the other way round.
    """
    needle = canonical(fact)
    if not needle:
        return True
    pattern = rf"(?<![a-z0-9])(?<!\d\.){re.escape(needle)}(?![a-z0-9])(?!\.\d)"
    return re.search(pattern, canonical(text)) is not None


def numbers_in(text: str) -> frozenset[str]:
    """Return the numbers written in ``text``, in canonical spelling."""
    return frozenset(_NUMBER.findall(canonical(text)))


def _stem(word: str) -> str:
    # A crude prefix stem: 'responded' and 'response' share 'respon'.
    return word[:6]


def key_terms(text: str) -> frozenset[str]:
    """Return the stems of the content words of ``text`` (no stopwords, >= 3 chars)."""
    words = _WORD.findall(canonical(text))
    return frozenset(_stem(w) for w in words if len(w) >= 3 and w not in _NOT_KEY_TERMS)


def lexically_supported(sentence: str, passage: str) -> bool:
    """Return True if ``passage`` contains every number and key term of ``sentence``."""
    if not numbers_in(sentence) <= numbers_in(passage):
        return False
    return key_terms(sentence) <= key_terms(passage)
