"""Sentence splitting, token estimates and section-aware chunking.

A chunk is a run of whole sentences inside one section (and one PDF page), so
that a chunk's offsets, section and page are exact and a citation never mixes
two sections. Headings are not part of any chunk: a chunk carries its section
path instead, and its tags are computed from the path plus its text.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re

from sarcolit.core.models import Chunk, Document, Tags
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest.tags import tag_text

# Words before a period that do not end a sentence (compared lowercased).
_ABBREVIATION_WORDS = """al e.g i.e vs v cf fig figs no nos dr drs mr mrs ms prof
approx ca ref refs eq eqs tab suppl vol pp p sp spp st jr sr inc ltd co corp dept
univ est resp min max mo mos yr yrs wk wks hr hrs incl u.s u.k"""
ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_CANDIDATE = re.compile(r"[.!?][\"')\]]*(?=\s)")
_NEXT_START = re.compile(r"\s+(\S)")
_WORD_BEFORE = re.compile(r"(\S+?)[.!?]?[\"')\]]*$")
_PIECES = re.compile(r"[^\W\d_]+|\d+|\w+|[^\w\s]")
_WORDS = re.compile(r"\S+")


def _paren_spans(text: str) -> list[tuple[int, int]]:
    """Return the matched ``(...)`` and ``[...]`` ranges; unmatched ones are ignored."""
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    for index, char in enumerate(text):
        if char in "([":
            stack.append(index)
        elif char in ")]" and stack:
            spans.append((stack.pop(), index))
        elif char == "\n":
            stack.clear()
    return [(s, e) for s, e in spans if not any(a < s and e < b for a, b in spans)]


def _inside(spans: list[tuple[int, int]], starts: list[int], position: int) -> bool:
    index = bisect.bisect_right(starts, position) - 1
    return index >= 0 and spans[index][0] < position < spans[index][1]


def _is_boundary(line: str, dot: int, after: int) -> bool:
    """Decide whether the punctuation at ``line[dot]`` ends a sentence."""
    following = line[after] if after < len(line) else ""
    if not following or following.islower() or following in "([":
        return False
    if line[dot] != ".":
        return True
    word = _WORD_BEFORE.search(line[max(0, dot - 30) : dot + 1])
    token = word.group(1).lower() if word else ""
    token = token.lstrip("(\"'[")
    if token in ABBREVIATIONS:
        return False
    # A single capital letter is an initial ('J. Smith'), not a sentence end.
    return not (len(token) == 1 and token.isalpha())


def _line_sentences(line: str, offset: int) -> list[tuple[int, int]]:
    if " | " in line:
        return [(offset, offset + len(line))]  # a table row is one sentence
    parens = sorted(_paren_spans(line))
    starts = [s for s, _ in parens]
    spans: list[tuple[int, int]] = []
    begin = 0
    for match in _CANDIDATE.finditer(line):
        if _inside(parens, starts, match.start()):
            continue
        nxt = _NEXT_START.match(line, match.end())
        if nxt and _is_boundary(line, match.start(), nxt.start(1)):
            spans.append((offset + begin, offset + match.end()))
            begin = nxt.start(1)
    spans.append((offset + begin, offset + len(line)))
    return spans


def sentence_spans(
    text: str, start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """Return sentence ranges of ``text[start:end]`` as absolute offsets.

    Line breaks always end a sentence, a line holding ' | ' (a table row) is
    one sentence, and a period does not end a sentence after an abbreviation
    ('et al.', 'e.g.', 'Fig.'), inside parentheses, inside a number ('4.4'),
    or before a lowercase word or an opening parenthesis ('et al. (90)').
    Spans never include leading or trailing whitespace.
    """
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    position = start
    for line in text[start:stop].split("\n"):
        for s, e in _line_sentences(line, position):
            piece = text[s:e]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                spans.append((s + lead, s + lead + len(stripped)))
        position += len(line) + 1
    return spans


def _piece_tokens(piece: str) -> int:
    length = len(piece)
    if length <= 2:
        return 1
    if piece.isdigit():
        return math.ceil(length * 0.65)
    if piece.isalpha():
        if piece.islower() or piece.istitle():
            return 1 if length <= 7 else math.ceil((length - 2) / 3)
        return math.ceil(length * 0.8)  # acronyms split into short pieces
    return math.ceil(length * 0.8)


def count_tokens(text: str) -> int:
    """Estimate the MiniLM wordpiece tokens of ``text``, erring high.

    Words, numbers and punctuation marks are counted apart; long words, acronyms
    and long numbers count several tokens, as the wordpiece vocabulary splits
    them. The estimate is additive over whitespace-separated words.
    """
    return sum(_piece_tokens(piece) for piece in _PIECES.findall(text))


def _split_long(text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Split one over-long sentence at word boundaries into runs within budget."""
    pieces: list[tuple[int, int]] = []
    run_start: int | None = None
    run_end = start
    used = 0
    for word in _WORDS.finditer(text, start, end):
        cost = count_tokens(word.group())
        if cost > budget:  # one giant word: cut it into fixed-size slices
            if run_start is not None:
                pieces.append((run_start, run_end))
            pieces.extend(
                (s, min(s + budget, word.end()))
                for s in range(word.start(), word.end(), budget)
            )
            run_start, used = None, 0
            continue
        if run_start is not None and used + cost > budget:
            pieces.append((run_start, run_end))
            run_start, used = None, 0
        if run_start is None:
            run_start = word.start()
        run_end, used = word.end(), used + cost
    if run_start is not None:
        pieces.append((run_start, run_end))
    return pieces


def _pack(text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Group the sentences of ``text[start:end]`` into runs within ``budget`` tokens."""
    runs: list[tuple[int, int]] = []
    run: tuple[int, int] | None = None
    used = 0
    for s, e in sentence_spans(text, start, end):
        cost = count_tokens(text[s:e])
        if cost > budget:
            if run is not None:
                runs.append(run)
            runs.extend(_split_long(text, s, e, budget))
            run, used = None, 0
        elif run is not None and used + cost <= budget:
            run, used = (run[0], e), used + cost
        else:
            if run is not None:
                runs.append(run)
            run, used = (s, e), cost
    if run is not None:
        runs.append(run)
    return runs


def _segments(doc: Document) -> list[tuple[int, int, str]]:
    """Return the chunkable ranges: section bodies (headings left out) cut at pages."""
    cuts: list[tuple[int, int, str]] = []
    position = 0
    for section in doc.sections:
        if position < section.start:
            cuts.append((position, section.start, ""))
        newline = doc.text.find("\n", section.start, section.end)
        body_start = section.end if newline < 0 else newline
        cuts.append((body_start, section.end, section.path))
        position = section.end
    if position < len(doc.text):
        cuts.append((position, len(doc.text), ""))
    page_starts = [page.start for page in doc.pages[1:]]
    segments: list[tuple[int, int, str]] = []
    for start, end, path in cuts:
        inner = [p for p in page_starts if start < p < end]
        bounds = [start, *inner, end]
        segments.extend((a, b, path) for a, b in itertools.pairwise(bounds))
    return segments


def chunk_document(
    doc: Document, max_tokens: int, vocabulary: Vocabulary | None = None
) -> list[Chunk]:
    """Cut ``doc`` into chunks of whole sentences, each inside one section and page.

    Every chunk's text is exactly ``doc.text[chunk.start:chunk.end]``; its tags
    come from its section path and its text.
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be positive, got {max_tokens}")
    chunks: list[Chunk] = []
    context = Tags.of(doc.subject)
    for seg_start, seg_end, path in _segments(doc):
        for start, end in _pack(doc.text, seg_start, seg_end, max_tokens):
            text = doc.text[start:end]
            chunks.append(
                Chunk(
                    id=f"{doc.id}:{start}-{end}",
                    doc_id=doc.id,
                    start=start,
                    end=end,
                    text=text,
                    section=path,
                    page=doc.page_at(start),
                    tags=tag_text(f"{path}\n{text}" if path else text, vocabulary),
                    context=context,
                )
            )
    return chunks
