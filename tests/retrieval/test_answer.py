from __future__ import annotations

import pytest

from sarcolit.core.settings import Settings
from sarcolit.retrieval import REFUSAL, HybridIndex, answer_question

# Questions about the seed review with the fact a cited passage must contain.
ANSWERABLE = [
    ("What was the objective response rate in SARC028?", "18%"),
    ("How many patients with soft-tissue sarcoma were treated in SARC028?", "84"),
    ("What response rate did UPS show in SARC028?", "40%"),
    ("What was the median PFS of toripalimab in ASPS?", "11.1 months"),
    ("What ORR did atezolizumab achieve in alveolar soft part sarcoma?", "37%"),
    ("What ORR did pembrolizumab with axitinib achieve?", "25%"),
    ("What was the 18-month OS rate with sunitinib plus nivolumab?", "100%"),
    ("What was the ORR of durvalumab combined with pazopanib?", "30.4%"),
    ("What ORR did Liu et al. report with pembrolizumab monotherapy?", "19.4%"),
    ("What median PFS did anlotinib with TQB2450 achieve?", "7.8 months"),
]
UNANSWERABLE = [
    "What was the response rate of pembrolizumab in Ewing sarcoma in KEYNOTE-999?",
    "How much does a course of nivolumab cost in Norway?",
]


@pytest.mark.parametrize(("question", "fact"), ANSWERABLE)
def test_answer_cites_a_passage_that_holds_the_fact(
    review_index: HybridIndex, question: str, fact: str
) -> None:
    answer = answer_question(question, review_index, Settings())
    docs = {d.id: d.text for d in review_index.get_documents()}

    assert not answer.refused
    assert answer.citations
    assert any(fact in c.quote for c in answer.citations), answer.answer
    for citation in answer.citations:
        assert docs[citation.doc_id][citation.start : citation.end] == citation.quote
        assert f"[{citation.id}]" in answer.answer


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_refuses_what_the_review_does_not_answer(
    review_index: HybridIndex, question: str
) -> None:
    answer = answer_question(question, review_index, Settings())

    assert answer.refused
    assert answer.answer.startswith(REFUSAL)
    reason = answer.answer.removeprefix(REFUSAL).strip()
    assert reason.startswith("Found passages on"), reason
    assert "but none with" in reason, reason
    assert answer.citations == ()
    assert answer.related


def test_a_sentence_on_another_study_does_not_take_the_trial_before_it(
    review_index: HybridIndex,
) -> None:
    # The review goes on from SARC028's 18% to "A subsequent basket trial ...
    # reported an ORR of 6.2%": that is not SARC028's ORR.
    answer = answer_question(ANSWERABLE[0][0], review_index, Settings())

    assert "18%" in answer.answer
    assert "6.2%" not in answer.answer


def test_answer_json_keeps_its_public_keys(review_index: HybridIndex) -> None:
    answer = answer_question(ANSWERABLE[0][0], review_index, Settings())
    data = answer.model_dump(mode="json")

    assert {"question", "answer", "refused", "sentences", "citations"} <= set(data)
    assert set(data["sentences"][0]) >= {"text", "citations"}
    assert set(data["citations"][0]) >= {
        "id",
        "doc_id",
        "title",
        "section",
        "page",
        "start",
        "end",
        "quote",
    }


@pytest.mark.slow
def test_two_reports_of_one_trial_are_both_given_each_cited(
    corpus_index: HybridIndex,
) -> None:
    # The journal and the conference report of ImmunoSarc give different median
    # OS figures: the answer must not pick one source's silently.
    question = "What median overall survival did the ImmunoSarc trial report?"
    answer = answer_question(question, corpus_index, Settings())

    assert not answer.refused
    sources = {c.doc_id for c in answer.citations}
    assert len(sources) >= 2, answer.answer
    # ... and says that they differ, naming each source with its citations.
    (note,) = answer.notes
    assert note.startswith("The sources report different figures")
    for citation in answer.citations:
        assert f"[{citation.id}]" in note
        assert (citation.title or citation.doc_id).rstrip(". ") in note


def test_a_refusal_names_the_missing_words_as_the_question_writes_them(
    review_index: HybridIndex,
) -> None:
    answer = answer_question(UNANSWERABLE[1], review_index, Settings())
    assert answer.refused
    assert "'course', 'cost'" in answer.answer or "'cost'" in answer.answer
    assert "cours," not in answer.answer  # a stem is no word to a reader


def test_one_source_or_one_figure_needs_no_disagreement_note(
    review_index: HybridIndex,
) -> None:
    answer = answer_question(ANSWERABLE[0][0], review_index, Settings())
    assert not answer.refused
    assert answer.notes == ()


def test_an_expansion_cohort_is_not_the_trials_cohort(
    corpus_index: HybridIndex,
) -> None:
    question = "What ORR does the SARC028 cohort table give for the UPS cohort?"
    answer = answer_question(question, corpus_index, Settings())

    assert "expansion" not in answer.sentences[0].text.lower(), answer.answer
