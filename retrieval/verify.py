"""Checks a generated sentence against the passages it cites.

A sentence passes when it cites at least one passage that was given, every
number it states (percentages, months, counts; "18 %" = "18%" = "eighteen
percent") occurs in a cited passage, and most of its content words do too.
Passage sentences that read as instructions to the model are never evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sarcolit.core.models import Citation, SearchHit
from sarcolit.core.text import (
    CITATION_MARKER,
    SQUARE_MARKER,
    marker_numbers,
    words_to_digits,
)
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest import is_instruction, sentence_spans
from sarcolit.retrieval.answer import cite
from sarcolit.retrieval.tokens import tokenize

MIN_WORD_SHARE = 0.5
"""Least share of a sentence's content words that its cited passages must hold."""

_ANSWER_MARKER = re.compile(SQUARE_MARKER)
_MARKER_RUN = re.compile(rf"(?:{SQUARE_MARKER})+[.;!?]?(?=\s)")
# A number, unless it is part of an identifier (SARC028, PD-1, CTLA-4, [3]).
_NUMBER = re.compile(
    r"(?<![\w.])(?<![A-Za-z]-)(\d+(?:,\d{3})*(?:\.\d+)?)\s*(%|percent\b|per cent\b)?",
    re.IGNORECASE,
)


def numbers_in(text: str) -> frozenset[tuple[str, bool]]:
    """Return the numbers in ``text`` as (canonical value, is a percentage) pairs."""
    digits = words_to_digits(CITATION_MARKER.sub(" ", text), keep_one=True)
    found = set()
    for match in _NUMBER.finditer(digits):
        value = match.group(1).replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        found.add((value, match.group(2) is not None))
    return frozenset(found)


def markers_of(text: str) -> tuple[tuple[int, ...], str]:
    """Return the passage numbers a sentence cites and its text without markers."""
    cited = [n for m in _ANSWER_MARKER.finditer(text) for n in marker_numbers(m[1])]
    clean = _ANSWER_MARKER.sub("", text).strip()
    clean = re.sub(r"\s+([.,;:!?])", r"\1", clean)
    return tuple(dict.fromkeys(cited)), re.sub(r"\s{2,}", " ", clean)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk given to the model as evidence ``[number]``."""

    number: int
    hit: SearchHit
    sentences: tuple[tuple[int, int], ...]
    """Spans, relative to the chunk, of the sentences that count as evidence."""

    @property
    def text(self) -> str:
        """Return the chunk without its instruction-like sentences."""
        chunk = self.hit.chunk.text
        return " ".join(chunk[s:e] for s, e in self.sentences)

    def citation(self, start: int, end: int) -> Citation:
        """Cite the chunk's ``[start, end)`` (id 1, renumbered later)."""
        return cite(self.hit, start, end)


def as_passage(number: int, hit: SearchHit) -> Passage:
    """Return ``hit`` as passage ``number``, setting aside instruction-like text."""
    text = hit.chunk.text
    spans = tuple(
        (s, e) for s, e in sentence_spans(text) if not is_instruction(text[s:e])
    )
    return Passage(number=number, hit=hit, sentences=spans)


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one generated sentence."""

    text: str
    """The sentence without its ``[n]`` markers."""
    cited: tuple[int, ...]
    reason: str
    """Why the sentence failed; '' when it passed."""
    citations: tuple[Citation, ...] = ()
    """The passage sentences that support it (ids are placeholders)."""


def _missing_number(
    numbers: frozenset[tuple[str, bool]], evidence: frozenset[tuple[str, bool]]
) -> str:
    bare = {value for value, _ in evidence}
    for value, percent in sorted(numbers):
        if (value, True) in evidence or (not percent and value in bare):
            continue
        return f"{value}%" if percent else value
    return ""


def word_share(
    sentence: str, evidence: str, vocabulary: Vocabulary | None = None
) -> float:
    """Return the share of the sentence's content words that ``evidence`` holds."""
    words = {t for t in tokenize(sentence, vocabulary) if not t[0].isdigit()}
    if not words:
        return 1.0
    return len(words & set(tokenize(evidence, vocabulary))) / len(words)


def _support(
    passage: Passage, sentence: str, vocabulary: Vocabulary | None
) -> Citation:
    """Cite the passage sentences that state the sentence's numbers (or its words)."""
    numbers = {value for value, _ in numbers_in(sentence)}
    chunk = passage.hit.chunk.text
    spans = [
        (s, e)
        for s, e in passage.sentences
        if numbers & {value for value, _ in numbers_in(chunk[s:e])}
    ]
    if not spans:
        spans = [
            max(
                passage.sentences,
                key=lambda se: word_share(sentence, chunk[se[0] : se[1]], vocabulary),
            )
        ]
    return passage.citation(min(s for s, _ in spans), max(e for _, e in spans))


def repeats_itself(sentence: str, n: int = 4) -> bool:
    """Return True when a run of ``n`` words occurs twice: a small model's loop."""
    words = sentence.lower().split()
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(grams) != len(set(grams))


def verify_sentence(
    text: str, passages: Sequence[Passage], vocabulary: Vocabulary | None = None
) -> Verdict:
    """Check one generated sentence against the passages it cites."""
    cited, clean = markers_of(text)
    given = {p.number: p for p in passages}
    if not cited:
        return Verdict(clean, cited, "cites no passage")
    unknown = [n for n in cited if n not in given]
    if unknown:
        listed = ", ".join(f"[{n}]" for n in unknown)
        return Verdict(clean, cited, f"cites {listed}, which was not given")
    if repeats_itself(clean):
        return Verdict(clean, cited, "it repeats itself")
    sources = [given[n] for n in cited if given[n].sentences]
    evidence = " ".join(p.text for p in sources)
    missing = _missing_number(numbers_in(clean), numbers_in(evidence))
    if missing:
        return Verdict(clean, cited, f"the number {missing} is not in its passages")
    if word_share(clean, evidence, vocabulary) < MIN_WORD_SHARE:
        return Verdict(clean, cited, "most of its words are not in its passages")
    return Verdict(
        clean, cited, "", tuple(_support(p, clean, vocabulary) for p in sources)
    )


def split_sentences(buffer: str, final: bool) -> tuple[list[str], str]:
    """Return the complete sentences at the start of ``buffer`` and the rest.

    A sentence is complete once its ``[n]`` markers are followed by whitespace;
    text without markers is split only at the end (``final``), since its markers
    may still be coming.
    """
    done: list[str] = []
    position = 0
    for match in _MARKER_RUN.finditer(buffer):
        if not buffer[position : match.start()].strip():
            continue  # Markers before any words lead the sentence that follows.
        done.extend(_split_plain(buffer[position : match.end()]))
        position = match.end()
    rest = buffer[position:]
    if final:
        done.extend(_split_plain(rest))
        rest = ""
    return [s for s in done if s.strip()], rest


def _split_plain(text: str) -> list[str]:
    """Split text at sentence ends; markers stay with the sentence before them."""
    flat = " ".join(text.split())
    spans = sentence_spans(flat)
    pieces = [flat[s:e] for s, e in spans]
    merged: list[str] = []
    for piece in pieces:
        if merged and _ANSWER_MARKER.match(piece):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged
