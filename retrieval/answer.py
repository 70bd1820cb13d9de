"""The extractive answerer: cited sentences that hold the question's qualifiers.

The question is read for its qualifiers (trial, agent or class, subtype, arm,
time point, endpoint, source: :mod:`sarcolit.retrieval.question`). Every sentence
of the retrieved passages is judged against them in its context
(:mod:`sarcolit.retrieval.evidence`) and scored (:mod:`sarcolit.retrieval.candidates`).
Only sentences that hold every qualifier and contradict none may answer; when
none does, the answer is refused, saying what was found and what was missing,
with the closest passages.
"""

from __future__ import annotations

from collections.abc import Sequence

from sarcolit.core.models import Answer, AnswerSentence, Citation, SearchHit
from sarcolit.core.settings import Settings
from sarcolit.ingest import normalize
from sarcolit.retrieval.answer_text import display
from sarcolit.retrieval.candidates import Candidate, candidates
from sarcolit.retrieval.facts import digits
from sarcolit.retrieval.index import Filters, HybridIndex
from sarcolit.retrieval.question import Question, parse_question

REFUSAL = "The indexed literature does not answer this question."
KEEP_SHARE = 0.85
"""Least share of the best sentence's score another sentence needs to be shown."""
OTHER_REPORT_SHARE = 0.75
"""Least share of the best score another source's differing value needs."""


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


def _numbers(text: str) -> frozenset[str]:
    return frozenset(
        w for w in digits(text).replace("%", " ").split() if w[:1].isdigit()
    )


def _choose(
    q: Question, passing: list[Candidate], settings: Settings
) -> list[Candidate]:
    """Return the best sentence and the close ones that add a value of their own."""
    best = passing[0]
    chosen = [best]
    shown = _numbers(best.text)
    for candidate in passing[1:]:
        if len(chosen) == settings.retrieval.max_sentences:
            break
        if candidate.score < KEEP_SHARE * best.score:
            break
        numbers = _numbers(candidate.text)
        if any(c.text == candidate.text for c in chosen) or numbers <= shown:
            continue  # the same fact again
        chosen.append(candidate)
        shown |= numbers
    return chosen + _other_report(q, passing, chosen, shown)


def _other_report(
    q: Question,
    passing: list[Candidate],
    chosen: list[Candidate],
    shown: frozenset[str],
) -> list[Candidate]:
    """Return another document's differing value for the same question, if any.

    One trial may be reported with different numbers by two sources (a journal
    and a conference, an early and a late analysis): the answer gives both, each
    cited to its own source, rather than just one of them.
    """
    if q.value is None:
        return []
    docs = {c.hit.chunk.doc_id for c in chosen}
    best = chosen[0].score
    for candidate in passing[1:]:
        if candidate.score < OTHER_REPORT_SHARE * best:
            break
        numbers = _numbers(candidate.text)
        if candidate.hit.chunk.doc_id not in docs and numbers and not numbers <= shown:
            return [candidate]
    return []


def select_sentences(
    question: str, hits: list[SearchHit], index: HybridIndex, settings: Settings
) -> list[Candidate]:
    """Return the sentences that answer the question, best first; [] to refuse."""
    q = parse_question(question, index.vocabulary)
    return _select(q, hits, index, settings)[0]


def _select(
    q: Question, hits: list[SearchHit], index: HybridIndex, settings: Settings
) -> tuple[list[Candidate], str]:
    """Return the chosen sentences, or [] and why the question is refused."""
    found = candidates(q, with_continuations(hits, index), index)
    passing = [c for c in found if c.verdict.ok]
    if passing and passing[0].support >= settings.retrieval.min_support:
        return _choose(q, passing, settings), ""
    return [], refusal_reason(q, found)


def refusal_reason(q: Question, found: list[Candidate]) -> str:
    """Say what the closest passages hold and what they lack."""
    if not found:
        return "No indexed passage matches the question."
    closest = min(
        found[:40], key=lambda c: (len(c.verdict.violations), len(c.verdict.missing))
    )
    verdict = closest.verdict
    about = ", ".join(h for h in verdict.held if h in q.describe()) or q.describe()
    lacking = [*verdict.missing]
    if not lacking and verdict.violations:
        lacking = [f"one that is not about {verdict.violations[0]}"]
    where = f"Found passages on {about}" if about else "Found related passages"
    if not lacking:
        return f"{where}, but none answers it closely enough."
    return f"{where}, but none with {' and '.join(lacking)}."


def answer_question(
    question: str,
    index: HybridIndex,
    settings: Settings,
    filters: Filters | None = None,
) -> Answer:
    """Answer with cited sentences from the literature, or refuse and say why."""
    query = normalize(question).strip()
    hits = index.search(query, settings.retrieval.answer_pool, filters)
    q = parse_question(query, index.vocabulary)
    chosen, reason = _select(q, hits, index, settings)
    if not chosen:
        return Answer(
            question=question,
            answer=f"{REFUSAL} {reason}".strip(),
            refused=True,
            related=related_passages(hits),
            notes=(reason,) if reason else (),
        )
    citations = tuple(citation_of(c, n) for n, c in enumerate(chosen, start=1))
    sentences = tuple(
        AnswerSentence(
            text=display(
                c.text,
                index.vocabulary,
                c.header,
                q.endpoints if q.value is not None else frozenset(),
                frozenset(q.content) if q.value is not None else frozenset(),
            ),
            citations=(n,),
        )
        for n, c in enumerate(chosen, start=1)
    )
    text = " ".join(f"{s.text} [{s.citations[0]}]" for s in sentences)
    return Answer(
        question=question,
        answer=text,
        refused=False,
        sentences=sentences,
        citations=citations,
        notes=_disagreement(q, chosen, citations),
    )


def _disagreement(
    q: Question, chosen: list[Candidate], citations: Sequence[Citation]
) -> tuple[str, ...]:
    """Say so when the sources an answer quotes report different figures.

    The answer then gives each source's figure with its own citation; the note
    keeps a reader from taking them for one consistent result.
    """
    if q.value is None:
        return ()
    by_doc: dict[str, frozenset[str]] = {}
    for candidate in chosen:
        doc = candidate.hit.chunk.doc_id
        by_doc[doc] = by_doc.get(doc, frozenset()) | _numbers(candidate.text)
    if len(by_doc) < 2 or len(set(by_doc.values())) < 2:
        return ()
    ids: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for citation in citations:
        ids.setdefault(citation.doc_id, []).append(f"[{citation.id}]")
        titles[citation.doc_id] = (citation.title or citation.doc_id).rstrip(". ")
    sources = "; ".join(f"{''.join(ids[d])} {titles[d]}" for d in ids)
    return (
        f"The sources report different figures; each is given with its own "
        f"citation: {sources}.",
    )
