"""Does a set of cited passages support a sentence? The seam for support judges.

A :data:`JudgeFactory` is given one question's gold evidence and returns a
:class:`SupportJudge` for that question. The default, :func:`deterministic_judge`,
needs no model; an NLI judge can be plugged in through the same two types.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from sarcolit.core.models import Quote
from sarcolit.evals.matching import lexically_supported


class SupportJudge(Protocol):
    """Decides whether passages, read together, support a sentence."""

    def __call__(self, sentence: str, passages: Sequence[Quote]) -> bool:
        """Return True if ``passages`` jointly support ``sentence``."""
        ...


JudgeFactory = Callable[[Sequence[Quote]], SupportJudge]


def overlaps(a: Quote, b: Quote) -> bool:
    """Return True if two spans of the same document share at least one character."""
    return a.doc_id == b.doc_id and a.start < b.end and b.start < a.end


def deterministic_judge(gold: Sequence[Quote]) -> SupportJudge:
    """Return a judge that needs no model.

    Passages support a sentence when one of them overlaps a gold evidence span,
    or when their joined text contains every number and key term of the sentence.
    """
    gold_spans = tuple(gold)

    def judge(sentence: str, passages: Sequence[Quote]) -> bool:
        if not passages:
            return False
        if any(overlaps(p, g) for p in passages for g in gold_spans):
            return True
        return lexically_supported(sentence, "\n".join(p.quote for p in passages))

    return judge


def lexical_judge(gold: Sequence[Quote]) -> SupportJudge:
    """Return a judge that ignores gold spans and checks numbers and key terms only."""
    del gold  # Same signature as every judge factory; this one reads text only.

    def judge(sentence: str, passages: Sequence[Quote]) -> bool:
        joined = "\n".join(p.quote for p in passages)
        return bool(passages) and lexically_supported(sentence, joined)

    return judge
