import pytest

from sarcolit.core.models import Answer, AnswerSentence, Chunk, Citation, Quote
from sarcolit.evals.qa_scores import (
    covers,
    evidence_recall_at_k,
    reciprocal_rank,
    score_answer,
    score_citations,
)
from sarcolit.evals.support import deterministic_judge, lexical_judge, overlaps

TEXT = (
    "In SARC028, 84 STS patients treated with pembrolizumab had an ORR of 18%. "
    "The best activity was observed in UPS of 40%. "
    "Nivolumab alone showed a 12% response rate."
)
S1 = TEXT.index("In SARC028")
S2 = TEXT.index("The best")
S3 = TEXT.index("Nivolumab")


def span(doc: str, start: int, end: int) -> Quote:
    return Quote(doc_id=doc, start=start, end=end, quote=TEXT[start:end])


def chunk(cid: str, start: int, end: int, doc: str = "d") -> Chunk:
    return Chunk(id=cid, doc_id=doc, start=start, end=end, text=TEXT[start:end])


def cite(n: int, start: int, end: int, doc: str = "d") -> Citation:
    return Citation(
        id=n, doc_id=doc, start=start, end=end, quote=TEXT[start:end], title="T"
    )


GOLD_18 = span("d", TEXT.index("had an ORR"), TEXT.index("18%") + 3)


def test_covers_needs_the_same_document_and_the_whole_quote() -> None:
    assert covers(chunk("a", 0, S2), GOLD_18)
    assert not covers(chunk("a", 0, S2, doc="other"), GOLD_18)
    assert not covers(chunk("a", 0, GOLD_18.end - 1), GOLD_18)


def test_recall_at_k_and_reciprocal_rank() -> None:
    gold_40 = span("d", TEXT.index("UPS of 40%"), TEXT.index("UPS of 40%") + 10)
    ranked = [chunk("c3", S3, len(TEXT)), chunk("c2", S2, S3), chunk("c1", 0, S2)]
    assert evidence_recall_at_k(ranked, [GOLD_18, gold_40], 1) == 0.0
    assert evidence_recall_at_k(ranked, [GOLD_18, gold_40], 2) == 0.5
    assert evidence_recall_at_k(ranked, [GOLD_18, gold_40], 3) == 1.0
    assert evidence_recall_at_k(ranked, [GOLD_18, gold_40], 2, match="any") == 1.0
    assert evidence_recall_at_k(ranked, [GOLD_18, gold_40], 1, match="any") == 0.0
    assert reciprocal_rank(ranked, [GOLD_18]) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, [GOLD_18, gold_40]) == 0.5
    assert reciprocal_rank(ranked[:1], [GOLD_18]) == 0.0
    with pytest.raises(ValueError, match="at least one gold quote"):
        evidence_recall_at_k(ranked, [], 3)


def answer(
    *sentences: tuple[str, tuple[int, ...]], citations: tuple[Citation, ...]
) -> Answer:
    text = " ".join(f"{s} " + "".join(f"[{c}]" for c in ids) for s, ids in sentences)
    return Answer(
        question="q",
        answer=text,
        refused=False,
        sentences=tuple(AnswerSentence(text=s, citations=ids) for s, ids in sentences),
        citations=citations,
    )


def test_supported_sentence_with_one_citation_scores_one() -> None:
    ans = answer(
        ("Pembrolizumab had an ORR of 18% in SARC028.", (1,)),
        citations=(cite(1, S1, S2),),
    )
    score = score_citations(ans, deterministic_judge([GOLD_18]))
    assert (score.recall, score.precision) == (1.0, 1.0)


def test_citation_present_but_not_supporting_its_sentence() -> None:
    # The sentence states SARC028's 18%, but cites only the nivolumab sentence.
    ans = answer(
        ("Pembrolizumab had an ORR of 18% in SARC028.", (1,)),
        citations=(cite(1, S3, len(TEXT)),),
    )
    score = score_citations(ans, deterministic_judge([GOLD_18]))
    assert score.recall == 0.0
    assert score.precision == 0.0
    assert not score.sentences[0].supported


def test_redundant_citation_lowers_precision_only() -> None:
    ans = answer(
        ("Pembrolizumab had an ORR of 18% in SARC028.", (1, 2)),
        citations=(cite(1, S1, S2), cite(2, S3, len(TEXT))),
    )
    score = score_citations(ans, deterministic_judge([GOLD_18]))
    assert score.recall == 1.0
    assert score.precision == 0.5
    assert score.sentences[0].precise == (1,)


def test_jointly_needed_citations_are_both_precise() -> None:
    # 18% is in the first passage, 12% in the third: neither alone supports it.
    ans = answer(
        ("SARC028 pembrolizumab ORR was 18% and nivolumab response rate 12%.", (1, 2)),
        citations=(cite(1, S1, S2), cite(2, S3, len(TEXT))),
    )
    score = score_citations(ans, lexical_judge([]))
    assert (score.recall, score.precision) == (1.0, 1.0)


def test_mixed_sentences_average_per_answer() -> None:
    ans = answer(
        ("Pembrolizumab had an ORR of 18% in SARC028.", (1,)),
        ("UPS had the best activity at 40%.", (1,)),
        ("No citation here at all.", ()),
        citations=(cite(1, S1, S2),),
    )
    score = score_citations(ans, lexical_judge([]))
    assert score.recall == pytest.approx(1 / 3)
    assert score.precision == 0.5


def test_refusal_has_no_citation_scores() -> None:
    refusal = Answer(question="q", answer="No answer.", refused=True)
    score = score_citations(refusal, deterministic_judge([]))
    assert (score.recall, score.precision) == (None, None)


def test_overlap_is_per_document() -> None:
    assert overlaps(span("d", 0, 10), span("d", 9, 12))
    assert not overlaps(span("d", 0, 10), span("d", 10, 12))
    assert not overlaps(span("d", 0, 10), span("e", 0, 10))


def test_answer_correctness_normalises_numbers() -> None:
    ans = answer(("The ORR was eighteen percent among 84 patients.", ()), citations=())
    assert score_answer(ans, ["18%", "84"], unanswerable=False).correct
    partial = score_answer(ans, ["18%", "40%"], unanswerable=False)
    assert not partial.correct
    assert partial.fact_recall == 0.5
    assert partial.missing == ("40%",)


def test_refusals_are_right_only_for_unanswerable_questions() -> None:
    refusal = Answer(question="q", answer="No answer.", refused=True)
    assert score_answer(refusal, [], unanswerable=True).correct
    wrong = score_answer(refusal, ["18%"], unanswerable=False)
    assert (wrong.correct, wrong.refused, wrong.fact_recall) == (False, True, 0.0)
    answered = answer(("The ORR was 18%.", ()), citations=())
    assert not score_answer(answered, [], unanswerable=True).correct
