import pytest

from sarcolit.core.vocabulary import default_vocabulary
from sarcolit.retrieval import understand
from sarcolit.retrieval.synthesis_query import (
    classes_of,
    question_topics,
    subtype_family,
)

VOCABULARY = default_vocabulary()


def admits(question: str, agents: set[str]) -> list[bool]:
    query = understand(question)
    assert query is not None
    found = frozenset(agents)
    return [r.admits(found, classes_of(found, VOCABULARY)) for r in query.requirements]


def test_a_class_expands_to_its_agents() -> None:
    pd1 = set(VOCABULARY.agents_in_class("anti-PD-1"))
    assert {"pembrolizumab", "nivolumab", "toripalimab"} <= pd1
    question = (
        "Which trials combined a PD-1 inhibitor with a VEGFR tyrosine kinase inhibitor?"
    )
    assert admits(question, {"nivolumab", "sunitinib"}) == [True, True]
    assert admits(question, {"camrelizumab", "apatinib"}) == [True, True]
    assert admits(question, {"durvalumab", "pazopanib"}) == [False, True]
    assert admits(question, {"nivolumab"}) == [True, False]


def test_or_joins_classes_and_with_requires_both() -> None:
    either = "List the trials of a PD-1 or PD-L1 antibody given alone."
    assert admits(either, {"atezolizumab"}) == [True]
    assert admits(either, {"pembrolizumab"}) == [True]
    query = understand(either)
    assert query is not None
    assert query.monotherapy
    both = "What activity has combined PD-1 and CTLA-4 blockade shown in sarcoma?"
    assert admits(both, {"nivolumab", "ipilimumab"}) == [True, True]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Compare nivolumab alone with nivolumab plus ipilimumab.", "comparison"),
        ("Is there evidence that immunotherapy works in synovial sarcoma?", "yesno"),
        ("Which trials report results for UPS, and what were they?", "list"),
        (
            "What results have been reported in myxoid round cell liposarcoma?",
            "subtype",
        ),
        ("What activity has CTLA-4 blockade shown in sarcoma?", "class"),
    ],
)
def test_questions_across_trials_are_recognised(question: str, kind: str) -> None:
    query = understand(question)
    assert query is not None
    assert query.kind == kind


@pytest.mark.parametrize(
    "question",
    [
        "What was the objective response rate in SARC028?",
        "Which trial tested third-generation GD2 CAR-T cells in osteosarcoma?",
        "What ORR did combining IDO inhibition with pembrolizumab yield at 24 weeks?",
        "How many patients were enrolled in A091401?",
    ],
)
def test_single_fact_questions_are_left_to_the_extractive_answerer(
    question: str,
) -> None:
    assert understand(question) is None
    focused = understand(question, focused=True)  # a follow-up or a part
    assert focused is not None
    assert focused.kind == "summary"


def test_comparison_of_a_drug_alone_and_in_combination() -> None:
    query = understand("Compare nivolumab alone with nivolumab plus ipilimumab.")
    assert query is not None
    alone, combination = query.sides
    assert alone.agents == {"nivolumab"}
    assert combination.agents == {"nivolumab", "ipilimumab"}
    assert combination.combination
    assert not combination.admits(frozenset({"nivolumab"}), frozenset())
    two_reports = understand(
        "Compare the two studies of pembrolizumab with doxorubicin."
    )
    assert two_reports is not None
    assert two_reports.sides == ()
    assert len(two_reports.requirements) == 2


def test_subtypes_widen_to_their_family_and_exceptions_are_set_aside() -> None:
    assert {"DDLPS", "MRCLS", "LPS"} <= subtype_family("LPS", VOCABULARY)
    assert "LPS" in subtype_family("DDLPS", VOCABULARY)
    query = understand(
        "Is there evidence that cell therapies work in sarcomas other than "
        "synovial sarcoma?"
    )
    assert query is not None
    assert query.subtypes == frozenset()
    assert query.excluded == {"SS"}
    bone = understand("How have bone sarcomas responded to immunotherapy?")
    assert bone is not None
    assert {"OS", "ES", "CHS"} <= bone.subtypes


def test_named_topics_come_first_and_results_fill_in() -> None:
    assert question_topics("What response rate and median PFS did it achieve?")[:2] == (
        "response",
        "pfs",
    )
    assert question_topics("Which toxicities were most common?") == ("toxicity",)
    assert "response" in question_topics("What did the trial find?")
    assert "toxicity" in question_topics("Compare A with B.", comparison=True)
    query = understand("Compare the 2023 and 2024 reports of the SAINT trial.")
    assert query is not None
    assert query.names == {"SAINT"}


def test_a_request_for_everything_on_a_named_subject_is_a_summary() -> None:
    for question in (
        "Tell me about ImmunoSarc.",
        "What did SPEARHEAD-1 report?",
        "Summarise the lete-cel data.",
    ):
        query = understand(question)
        assert query is not None, question
        assert query.kind == "summary"
    # A named subject with a specific ask stays a single-fact question.
    assert understand("What was the ORR in SARC028?") is None
    assert understand("How much does a course of nivolumab cost in Norway?") is None
