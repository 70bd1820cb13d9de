"""Rerank fused search hits by the qualifiers of the question they answer.

Reciprocal rank fusion knows words and vectors; it does not know that a passage
about another trial, or one that never names the endpoint asked about, cannot
answer. Each of the top hits gets a qualifier score read from its tags, its
document's subject and its text (:func:`passage_score`), added to its fused
score with one weight, so a passage that holds the question's trial, agents,
subtype and endpoint moves up and one that contradicts them moves down.
"""

from __future__ import annotations

from sarcolit.core.models import Chunk, SearchHit, Tags
from sarcolit.core.text import fold
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval.facts import endpoints_in, subtype_covers, timepoints_in
from sarcolit.retrieval.qualifiers import POPULATIONS, RIVALS, SOURCE_PATTERNS
from sarcolit.retrieval.question import Question
from sarcolit.retrieval.sparse import DocHead
from sarcolit.retrieval.tokens import tokenize

RERANK_DEPTH = 40
"""Fused hits rescored; the rest keep their order below them."""


def _entity_score(q: Question, own: Tags, context: Tags, vocab: Vocabulary) -> float:
    score = 0.0
    for field in ("trials", "nct_ids", "agents"):
        asked = set(getattr(q.entities, field))
        if not asked:
            continue
        named, subject = set(getattr(own, field)), set(getattr(context, field))
        if asked & named:
            score += 1.0
        elif asked & subject:
            score += 0.8
        elif named or subject:
            score -= 1.0
    for code in q.entities.subtypes:
        if any(subtype_covers(code, found, vocab) for found in own.subtypes):
            score += 1.0
        elif any(subtype_covers(code, found, vocab) for found in context.subtypes):
            score += 0.5
        elif own.subtypes:
            score -= 0.5
    return score


def _text_score(q: Question, chunk: Chunk, head: DocHead | None) -> float:
    text = f"{chunk.section}\n{chunk.text}"
    described = head.describe() if head else ""
    folded, title = fold(text), fold(head.title) if head else ""
    score = 0.0
    for name in (*q.names, *q.soft_names):
        if fold(name) in folded:
            score += 1.0
        elif fold(name) in fold(described):
            score += 0.5
    for source in q.sources:
        if SOURCE_PATTERNS[source].search(described):
            score += 0.5
    if q.timepoints:
        found = timepoints_in(text)
        if any(a.matches(f) for a in q.timepoints for f in found):
            score += 0.5
    score += _population_score(q, text, title)
    found_numbers = set(text.replace("%", " ").split())
    score += 0.5 * len(q.anchors & found_numbers)
    return score


def _population_score(q: Question, text: str, title: str) -> float:
    score = 0.0
    for name in q.populations:
        if POPULATIONS[name].search(text) or POPULATIONS[name].search(title):
            score += 0.5
        elif name in RIVALS and POPULATIONS[RIVALS[name]].search(text):
            score -= 0.5
    return score


def passage_score(
    q: Question, chunk: Chunk, head: DocHead | None, vocab: Vocabulary
) -> float:
    """Return how well a passage holds the question's qualifiers (about -3 to 6)."""
    score = _entity_score(q, chunk.tags, chunk.context, vocab)
    if q.endpoint and q.endpoint in endpoints_in(chunk.text, vocab):
        score += 1.0
    if q.content:
        tokens = set(tokenize(f"{chunk.section}\n{chunk.text}", vocab))
        score += sum(w in tokens for w in q.content) / len(q.content)
    return score + _text_score(q, chunk, head)


def rerank(
    q: Question,
    hits: list[SearchHit],
    heads: dict[str, DocHead],
    vocab: Vocabulary,
    weight: float,
) -> list[SearchHit]:
    """Return ``hits`` reordered by fused score plus ``weight`` x qualifier score."""
    top, rest = hits[:RERANK_DEPTH], hits[RERANK_DEPTH:]
    scored = [
        (
            hit.score
            + weight * passage_score(q, hit.chunk, heads.get(hit.chunk.doc_id), vocab),
            i,
            hit,
        )
        for i, hit in enumerate(top)
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [hit.model_copy(update={"score": score}) for score, _, hit in scored] + rest
