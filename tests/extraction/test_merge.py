"""Trial identity across documents: merged records keep sources, flag conflicts."""

from __future__ import annotations

from sarcolit.extraction import extract_rules, merge_records
from tests.extraction.conftest import make_doc

REVIEW_TEXT = (
    "In the phase II SPEARHEAD-1 trial, afami-cel achieved an ORR of 43.2% in "
    "synovial sarcoma."
)
PAPER_TEXT = (
    "Methods: SPEARHEAD-1 was a phase II trial of afamitresgene autoleucel.\n\n"
    "Results: The ORR was 39% and 44 patients were treated."
)


def test_same_trial_in_two_documents_is_merged_with_the_conflict_flagged() -> None:
    review = make_doc(REVIEW_TEXT, kind="review", doc_id="review")
    paper = make_doc(PAPER_TEXT, kind="trial", doc_id="paper")
    records = merge_records([*extract_rules(review), *extract_rules(paper)])
    assert len(records) == 1
    (record,) = records
    assert record.key == "SPEARHEAD-1"
    assert record.doc_ids == ("review", "paper")
    assert sorted(e.value for e in record.endpoints if e.endpoint == "ORR") == [
        39.0,
        43.2,
    ]
    (conflict,) = record.conflicts
    assert (conflict.endpoint, conflict.values, conflict.doc_ids) == (
        "ORR",
        (39.0, 43.2),
        ("review", "paper"),
    )
    assert {n.evidence.doc_id for n in record.names} == {"review", "paper"}
    assert record.extractor == "merged"


def test_agreeing_sources_are_merged_without_a_conflict() -> None:
    review = make_doc(REVIEW_TEXT, kind="review", doc_id="review")
    again = make_doc(REVIEW_TEXT, kind="review", doc_id="copy")
    (record,) = merge_records([*extract_rules(review), *extract_rules(again)])
    assert record.conflicts == ()
    assert [e.evidence.doc_id for e in record.endpoints] == ["review", "copy"]


def test_different_trials_stay_apart_and_keys_are_unique() -> None:
    text = (
        "One real-world study reported an ORR of 48.1% with ICIs and anti-angiogenic "
        "therapy.\n\nAnother analysis of ICIs with anti-angiogenic therapy reported "
        "an ORR of 17.6%."
    )
    records = merge_records(extract_rules(make_doc(text, kind="review")))
    assert len(records) == 2
    assert len({r.key for r in records}) == 2
    assert all(r.conflicts == () for r in records)
