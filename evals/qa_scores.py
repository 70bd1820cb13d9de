"""Pure scorers for cited question answering: retrieval, citations, answers.

Citation recall and precision follow ALCE (Gao et al. 2023): a sentence is
supported when its cited passages, read together, support it; a citation is
imprecise when it does not support the sentence alone and the sentence's other
citations support it without it (or when the sentence is not supported at all).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from statistics import fmean
from typing import Literal

from pydantic import BaseModel, ConfigDict

from sarcolit.core.models import Answer, Chunk, Quote
from sarcolit.evals.matching import contains_fact
from sarcolit.evals.support import SupportJudge


class _Score(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def covers(chunk: Chunk, quote: Quote) -> bool:
    """Return True if ``chunk``'s span contains the whole quote span."""
    return (
        chunk.doc_id == quote.doc_id
        and chunk.start <= quote.start
        and quote.end <= chunk.end
    )


def evidence_recall_at_k(
    retrieved: Sequence[Chunk],
    gold: Sequence[Quote],
    k: int,
    *,
    match: Literal["all", "any"] = "all",
) -> float:
    """Return the share of gold quotes covered by one of the first ``k`` chunks.

    With ``match="any"`` the quotes are alternatives: covering one is recall 1.
    """
    if not gold:
        raise ValueError("recall needs at least one gold quote")
    top = retrieved[:k]
    found = sum(1 for quote in gold if any(covers(c, quote) for c in top))
    if match == "any":
        return float(found > 0)
    return found / len(gold)


def reciprocal_rank(retrieved: Sequence[Chunk], gold: Sequence[Quote]) -> float:
    """Return 1/rank of the first chunk covering any gold quote (0.0 if none)."""
    for rank, chunk in enumerate(retrieved, start=1):
        if any(covers(chunk, quote) for quote in gold):
            return 1.0 / rank
    return 0.0


class SentenceSupport(_Score):
    """ALCE judgement of one answer sentence."""

    text: str
    citations: tuple[int, ...]
    supported: bool
    precise: tuple[int, ...]


class CitationScore(_Score):
    """Citation recall and precision of one answer (None when not applicable)."""

    recall: float | None
    precision: float | None
    sentences: tuple[SentenceSupport, ...] = ()


def _precise_citations(
    sentence: str, cited: Mapping[int, Quote], judge: SupportJudge
) -> tuple[int, ...]:
    if len(cited) == 1:
        return tuple(cited)
    precise = []
    for cid, passage in cited.items():
        if judge(sentence, [passage]):
            precise.append(cid)
            continue
        rest = [q for other, q in cited.items() if other != cid]
        if not judge(sentence, rest):
            precise.append(cid)
    return tuple(precise)


def judge_sentence(
    text: str, citation_ids: Sequence[int], answer: Answer, judge: SupportJudge
) -> SentenceSupport:
    """Return whether a sentence is supported and which citations it needs."""
    by_id = {c.id: c for c in answer.citations}
    cited = {cid: by_id[cid] for cid in dict.fromkeys(citation_ids) if cid in by_id}
    supported = judge(text, list(cited.values()))
    precise = _precise_citations(text, cited, judge) if supported else ()
    return SentenceSupport(
        text=text, citations=tuple(cited), supported=supported, precise=precise
    )


def score_citations(answer: Answer, judge: SupportJudge) -> CitationScore:
    """Return ALCE citation recall and precision of ``answer``.

    Recall is None for an answer with no sentences (a refusal); precision is
    None when no sentence cites anything.
    """
    if answer.refused or not answer.sentences:
        return CitationScore(recall=None, precision=None)
    judged = tuple(
        judge_sentence(s.text, s.citations, answer, judge) for s in answer.sentences
    )
    recall = sum(s.supported for s in judged) / len(judged)
    total = sum(len(s.citations) for s in judged)
    precision = sum(len(s.precise) for s in judged) / total if total else None
    return CitationScore(recall=recall, precision=precision, sentences=judged)


class AnswerScore(_Score):
    """Correctness of one answer against its gold row."""

    correct: bool
    refused: bool
    fact_recall: float | None
    missing: tuple[str, ...] = ()

    @property
    def wrong(self) -> bool:
        """An answer given where it misses a gold fact or where none should be."""
        return not self.refused and not self.correct


def score_answer(
    answer: Answer, must_contain: Sequence[str], *, unanswerable: bool
) -> AnswerScore:
    """Score an answer: all facts present (answerable) or a refusal (unanswerable)."""
    if unanswerable:
        return AnswerScore(
            correct=answer.refused, refused=answer.refused, fact_recall=None
        )
    if answer.refused:
        return AnswerScore(
            correct=False, refused=True, fact_recall=0.0, missing=tuple(must_contain)
        )
    missing = tuple(f for f in must_contain if not contains_fact(answer.answer, f))
    share = 1 - len(missing) / len(must_contain) if must_contain else 1.0
    return AnswerScore(
        correct=not missing, refused=False, fact_recall=share, missing=missing
    )


def mean_or_none(values: Iterable[float | None]) -> float | None:
    """Return the mean of the values that are not None (None if there are none)."""
    present = [v for v in values if v is not None]
    return fmean(present) if present else None
