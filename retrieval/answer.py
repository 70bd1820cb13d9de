"""The extractive answerer: cited sentences from the retrieved passages, or a refusal.

Each sentence of each retrieved chunk is scored by how much of the question's
IDF-weighted vocabulary it (and the sentence before it, for pronouns and trial
names introduced just earlier) contains. The answer is refused when the best
sentence covers less than ``min_support`` of that weight, or when an entity the
question names (a drug, a subtype, a trial, an NCT id) appears in no candidate
sentence: a real drug asked about in the wrong subtype must not be "answered".
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sarcolit.core.models import (
    Answer,
    AnswerSentence,
    Chunk,
    Citation,
    SearchHit,
    Tags,
)
from sarcolit.core.settings import Settings
from sarcolit.core.text import strip_citation_markers
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest import is_instruction, normalize, sentence_spans, tag_text
from sarcolit.retrieval.index import Filters, HybridIndex
from sarcolit.retrieval.tokens import entity_tokens, tokenize

REFUSAL = "The indexed literature does not answer this question."
# Sentences before a candidate that may introduce the trial or drug it reports on.
CONTEXT_SENTENCES = 2
# A reported quantity (citation markers such as "(55)" are removed first).
_QUANTITY = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")
_QUANTITY_CUES = frozenset(
    [
        "how",
        "many",
        "much",
        "rate",
        "rates",
        "orr",
        "dcr",
        "pfs",
        "os",
        "median",
        "percent",
        "percentage",
        "proportion",
        "response",
        "responses",
        "survival",
        "number",
        "n",
        "months",
    ]
)


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved chunk, scored against the question."""

    hit: SearchHit
    hit_rank: int
    start: int
    end: int
    text: str
    support: float
    score: float
    entities_ok: bool


def _surface_words(tags: Tags, vocabulary: Vocabulary) -> set[str]:
    """Return the word tokens of every name the tagged entities go by."""
    # A trial goes by its canonical name here: 'Alliance' in 'Alliance A091401'
    # is the trial group, a word of its own.
    names: list[str] = [*tags.nct_ids, *tags.trials]
    for kind, values in (
        ("subtype", tags.subtypes),
        ("agent", tags.agents),
        ("class", tags.agent_classes),
    ):
        names += [name for value in values for name in vocabulary.names_of(kind, value)]
    return {token for name in names for token in tokenize(name, vocabulary)}


def question_units(
    question: str, index: HybridIndex
) -> tuple[dict[str, float], set[str], set[str]]:
    """Return the question's weighted units, its entities and its endpoints.

    Units are entity tokens (``subtype:ASPS``) and the remaining content words;
    the words of an entity's names are left out, so a passage that writes "ASPS"
    covers a question that wrote "alveolar soft part sarcoma". Agent classes count
    only when the question names no agent. Weights are BM25 IDFs; a unit no
    passage contains weighs the most.
    """
    vocabulary = index.vocabulary
    tags = tag_text(question, vocabulary)
    if tags.agents:
        tags = tags.model_copy(update={"agent_classes": ()})
    entities = entity_tokens(tags)
    surface = _surface_words(tags, vocabulary)
    words = [t for t in tokenize(question, vocabulary) if t not in surface]
    weights = {unit: index.idf(unit) for unit in dict.fromkeys([*entities, *words])}
    required = {e for e in entities if not e.startswith("class:")}
    # The sentence that carries an answer must name the endpoint asked about
    # itself, not only its neighbours.
    return weights, required, set(vocabulary.endpoint_terms() & set(words))


def _covered(required: set[str], window: frozenset[str]) -> bool:
    """Return True when every required entity is in ``window``.

    A family name covers its members: ``trial:ImmunoSarc`` is covered by
    ``trial:ImmunoSarc-I``.
    """
    return all(
        unit in window or any(w.startswith(unit + "-") for w in window)
        for unit in required
    )


def _units(text: str, vocabulary: Vocabulary) -> frozenset[str]:
    return frozenset(tokenize(text, vocabulary)) | frozenset(
        entity_tokens(tag_text(text, vocabulary))
    )


@lru_cache(maxsize=8192)
def chunk_sentences(
    chunk: Chunk, vocabulary: Vocabulary
) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """Return each sentence span of a chunk with its units (cached per chunk)."""
    return tuple(
        (start, end, _units(chunk.text[start:end], vocabulary))
        for start, end in sentence_spans(chunk.text)
    )


def _candidates(
    question: str, hits: list[SearchHit], index: HybridIndex
) -> list[Candidate]:
    weights, required, endpoints = question_units(question, index)
    total = sum(weights.values()) or 1.0
    wants_number = bool(_QUANTITY_CUES & set(question.lower().split()))
    vocabulary = index.vocabulary
    found: list[Candidate] = []
    for rank, hit in enumerate(hits):
        chunk = hit.chunk
        before = deque(
            (
                _units(s, vocabulary)
                for s in index.sentences_before(chunk, CONTEXT_SENTENCES)
                if not is_instruction(s)
            ),
            CONTEXT_SENTENCES,
        )
        section = _units(chunk.section, vocabulary)
        for start, end, own in chunk_sentences(chunk, vocabulary):
            text = chunk.text[start:end]
            if is_instruction(text):
                continue  # addressed to a reader or a model: never an answer
            window = section.union(own, *before)
            support = sum(w for u, w in weights.items() if u in window) / total
            own_share = sum(w for u, w in weights.items() if u in own) / total
            quantity = _QUANTITY.search(strip_citation_markers(text))
            number = 0.15 if wants_number and quantity else 0.0
            found.append(
                Candidate(
                    hit=hit,
                    hit_rank=rank,
                    start=chunk.start + start,
                    end=chunk.start + end,
                    text=text,
                    support=support,
                    score=support + 0.5 * own_share + number + 0.05 / (rank + 1),
                    entities_ok=_covered(required, window) and endpoints <= own,
                )
            )
            before.append(own)
    return found


def cite(hit: SearchHit, start: int, end: int, n: int = 1) -> Citation:
    """Cite ``[start, end)`` of a hit's chunk (offsets relative to the chunk) as [n]."""
    chunk = hit.chunk
    return Citation(
        id=n,
        doc_id=chunk.doc_id,
        title=hit.title,
        section=chunk.section,
        page=chunk.page,
        start=chunk.start + start,
        end=chunk.start + end,
        quote=chunk.text[start:end],
    )


def citation_of(candidate: Candidate, n: int = 1) -> Citation:
    """Return the citation of an extractive sentence, numbered ``n``."""
    offset = candidate.hit.chunk.start
    return cite(candidate.hit, candidate.start - offset, candidate.end - offset, n)


def related_passages(hits: Sequence[SearchHit], limit: int = 3) -> tuple[Citation, ...]:
    """Return the closest passages, whole, offered with a refusal."""
    return tuple(
        cite(hit, 0, len(hit.chunk.text), n)
        for n, hit in enumerate(hits[:limit], start=1)
    )


def with_continuations(hits: list[SearchHit], index: HybridIndex) -> list[SearchHit]:
    """Follow each hit with the next chunk of its section when it is not a hit.

    A result often sits in the sentence after the one that names the trial, and
    that sentence may open the next chunk, which names nothing to retrieve it by.
    """
    seen = {hit.chunk.id for hit in hits}
    expanded: list[SearchHit] = []
    for hit in hits:
        expanded.append(hit)
        after = index.chunk_after(hit.chunk)
        if after is not None and after.id not in seen:
            seen.add(after.id)
            expanded.append(
                SearchHit(chunk=after, title=hit.title, score=hit.score / 2)
            )
    return expanded


def select_sentences(
    question: str, hits: list[SearchHit], index: HybridIndex, settings: Settings
) -> list[Candidate]:
    """Return the sentences that answer the question, best first; [] to refuse."""
    pool = with_continuations(hits, index)
    candidates = [c for c in _candidates(question, pool, index) if c.entities_ok]
    if not candidates:
        return []
    candidates.sort(key=lambda c: (-c.score, c.hit_rank, c.start))
    best = candidates[0]
    if best.support < settings.retrieval.min_support:
        return []
    chosen: list[Candidate] = []
    for candidate in candidates:
        if len(chosen) == settings.retrieval.max_sentences:
            break
        if candidate.score < 0.8 * best.score:
            break
        if any(c.text == candidate.text for c in chosen):
            continue
        chosen.append(candidate)
    return chosen


def answer_question(
    question: str,
    index: HybridIndex,
    settings: Settings,
    filters: Filters | None = None,
) -> Answer:
    """Answer from the indexed literature with cited sentences, or refuse."""
    query = normalize(question).strip()
    hits = index.search(query, settings.retrieval.answer_pool, filters)
    chosen = select_sentences(query, hits, index, settings)
    if not chosen:
        return Answer(
            question=question,
            answer=REFUSAL,
            refused=True,
            related=related_passages(hits),
        )
    citations = tuple(citation_of(c, n) for n, c in enumerate(chosen, start=1))
    sentences = tuple(
        AnswerSentence(text=c.text, citations=(n,))
        for n, c in enumerate(chosen, start=1)
    )
    text = " ".join(f"{s.text} [{s.citations[0]}]" for s in sentences)
    return Answer(
        question=question,
        answer=text,
        refused=False,
        sentences=sentences,
        citations=citations,
    )
