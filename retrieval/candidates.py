"""Candidate answer sentences: each sentence of the retrieved passages, in context.

Every sentence is read with its context (the sentences before it in its
paragraph, its section, its table header, its document's subject), judged
against the question's qualifiers (:func:`sarcolit.retrieval.evidence.judge`)
and scored on how much of the question's IDF-weighted vocabulary it and its
context contain, how many qualifiers it holds itself, and its passage's rank.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from sarcolit.core.models import Chunk, SearchHit, Tags
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest import is_instruction, sentence_spans
from sarcolit.retrieval.evidence import judge
from sarcolit.retrieval.facts import entities_in
from sarcolit.retrieval.index import HybridIndex
from sarcolit.retrieval.question import Question
from sarcolit.retrieval.setting import Setting, Verdict
from sarcolit.retrieval.tables import CELLS, table_header
from sarcolit.retrieval.tokens import entity_tokens, tokenize

CONTEXT_SENTENCES = 3
"""Sentences before a candidate, in its paragraph, that may name its trial."""
_FIELDS = ("nct_ids", "trials", "agents", "agent_classes", "subtypes")
_CAPTION = re.compile(
    r"(?:Table|Figure|Fig\.?)\s+\w+[.:|]|Abbreviations?\b|Source:", re.IGNORECASE
)


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved chunk, judged and scored against the question."""

    hit: SearchHit
    hit_rank: int
    start: int
    end: int
    text: str
    support: float
    score: float
    verdict: Verdict = field(default_factory=Verdict)
    header: str = ""

    @property
    def entities_ok(self) -> bool:
        """True when the sentence holds every qualifier of the question."""
        return self.verdict.ok


def _surface_words(tags: Tags, vocabulary: Vocabulary) -> set[str]:
    """Return the word tokens of the entity names a question wrote."""
    names = (*tags.trials, *tags.nct_ids)
    return {t for name in names for t in tokenize(name, vocabulary)}


def question_weights(q: Question, index: HybridIndex) -> dict[str, float]:
    """Return the question's units (entity tokens and words) with their BM25 IDF.

    A unit no passage contains weighs the most; entity tokens let "ASPS" in a
    passage cover "alveolar soft part sarcoma" in the question.
    """
    vocab = index.vocabulary
    entities = entity_tokens(q.entities)
    surface = _surface_words(q.entities, vocab)
    words = [t for t in tokenize(q.text, vocab) if t not in surface]
    return {unit: index.idf(unit) for unit in dict.fromkeys([*entities, *words])}


@lru_cache(maxsize=16384)
def _units(text: str, vocabulary: Vocabulary) -> frozenset[str]:
    tokens = tokenize(text, vocabulary)
    return frozenset(tokens) | frozenset(entity_tokens(entities_in(text, vocabulary)))


@lru_cache(maxsize=8192)
def chunk_sentences(chunk: Chunk) -> tuple[tuple[int, int], ...]:
    """Return the sentence spans of a chunk, relative to it (cached per chunk)."""
    return tuple(sentence_spans(chunk.text))


def _nearest(previous: list[tuple[str, Tags]]) -> Tags:
    """Return, field by field, the entities of the nearest sentence naming any."""
    found: dict[str, tuple[str, ...]] = {}
    for _, tags in reversed(previous):
        for name in _FIELDS:
            if name not in found and getattr(tags, name):
                found[name] = getattr(tags, name)
    return Tags(**found)


def _before(
    chunk: Chunk, index: HybridIndex, defined: dict[str, str]
) -> list[tuple[str, Tags]]:
    """Return the last sentences of the previous chunk when it is the same paragraph."""
    before = index.chunk_before(chunk)
    if before is None or chunk.start - before.end > 1:
        return []
    spans = chunk_sentences(before)[-CONTEXT_SENTENCES:]
    texts = [before.text[s:e] for s, e in spans]
    return [
        (t, entities_in(t, index.vocabulary, defined))
        for t in texts
        if not is_instruction(t)
    ]


def _sentences(chunk: Chunk, index: HybridIndex) -> Iterator[tuple[int, int, Setting]]:
    """Yield each sentence of ``chunk`` with the context it is read in.

    Sentences addressed to a reader or a model are neither answers nor context.
    """
    vocab = index.vocabulary
    head = index.head(chunk.doc_id)
    defined = head.abbreviations if head is not None else {}
    previous = _before(chunk, index, defined)
    section = entities_in(chunk.section, vocab, defined)
    single = not chunk.context.is_empty()
    words = index.doc_words(chunk.doc_id) if single else frozenset()
    last_end = 0
    for start, end in chunk_sentences(chunk):
        text = chunk.text[start:end]
        if "\n\n" in chunk.text[last_end:start]:
            previous = []  # a new paragraph: the old one's trial is not this one's
        last_end = end
        if is_instruction(text):
            continue
        # A subtype holds from the section ("Results > Synovial sarcoma"), not
        # from a sentence before: "only two had ASPS. The ORR was 31%" is not
        # the ASPS ORR.
        local = _nearest([("", section), *previous]).model_copy(
            update={"subtypes": section.subtypes}
        )
        header = table_header(chunk, start, index) if CELLS in text else ""
        # A table row is read with its header: "ASPS patients, n | ..." says
        # whom the row's numbers are about.
        row = f"{text}\n{header}" if header and header != text else text
        yield (
            start,
            end,
            Setting(
                text=text,
                own=entities_in(row, vocab, defined),
                local=local,
                local_text=" ".join(t for t, _ in previous[-CONTEXT_SENTENCES:]),
                subject=chunk.context,
                header=header,
                section=chunk.section,
                head=head,
                doc_words=words,
                tokens=_units(row, vocab),
                before=previous[-1][1] if previous else Tags(),
                before_text=previous[-1][0] if previous else "",
            ),
        )
        own = entities_in(text, vocab, defined)
        previous = [*previous, (text, own)][-CONTEXT_SENTENCES:]


def _not_an_answer(s: Setting) -> bool:
    """A title, a caption or a table's header row names things; it answers nothing."""
    text = s.text.strip()
    if s.header == text or _CAPTION.match(text):
        return True
    return s.head is not None and text.rstrip(".") in s.head.title


def candidates(
    q: Question, hits: list[SearchHit], index: HybridIndex
) -> list[Candidate]:
    """Return every sentence of ``hits``, judged and scored, best first."""
    vocab = index.vocabulary
    weights = question_weights(q, index)
    total = sum(weights.values()) or 1.0
    found: list[Candidate] = []
    for rank, hit in enumerate(hits):
        chunk = hit.chunk
        head = index.head(chunk.doc_id)
        masthead = head.describe(300) if head is not None else ""
        context_units = (
            _units(chunk.section, vocab)
            | _units(masthead, vocab)
            | frozenset(entity_tokens(chunk.context))
        )
        for start, end, setting in _sentences(chunk, index):
            if _not_an_answer(setting):
                continue
            own = setting.tokens
            window = own | context_units | _units(setting.local_text, vocab)
            support = sum(w for u, w in weights.items() if u in window) / total
            own_share = sum(w for u, w in weights.items() if u in own) / total
            verdict = judge(q, setting, vocab)
            score = support + 0.5 * own_share + 0.1 * verdict.bonus
            found.append(
                Candidate(
                    hit=hit,
                    hit_rank=rank,
                    start=chunk.start + start,
                    end=chunk.start + end,
                    text=setting.text,
                    support=support,
                    score=score + 0.05 / (rank + 1),
                    verdict=verdict,
                    header=setting.header,
                )
            )
    found.sort(key=lambda c: (-c.score, c.hit_rank, c.start))
    return found
