"""The rule-based extractor on the seed review and on small hand-written texts."""

from __future__ import annotations

import pytest

from sarcolit.core.models import Document, TrialRecord
from sarcolit.extraction import extract_rules, ground, merge_records
from sarcolit.ingest import tag_text
from tests.extraction.conftest import make_doc


def by_agents(records: list[TrialRecord], *agents: str) -> TrialRecord:
    wanted = set(agents)
    found = [r for r in records if {i.name for i in r.interventions} == wanted]
    assert found, f"no record with exactly {wanted}"
    return found[0]


def by_id(records: list[TrialRecord], identifier: str) -> TrialRecord:
    found = [
        r for r in records if identifier in {v.value for v in (*r.nct_ids, *r.names)}
    ]
    assert found, f"no record {identifier}"
    return merge_records(found)[0]


def values(record: TrialRecord) -> dict[str, float]:
    return {e.endpoint: e.value for e in record.endpoints}


def cohort_values(record: TrialRecord) -> dict[str | None, dict[str, float]]:
    return {
        c.subtype: {e.endpoint: e.value for e in c.endpoints} for c in record.cohorts
    }


def test_sarc028_trial_and_cohorts(review_records: list[TrialRecord]) -> None:
    sarc = by_id(review_records, "SARC028")
    assert [i.name for i in sarc.interventions] == ["pembrolizumab"]
    assert [p.value for p in sarc.phase] == ["II"]
    assert [(c.kind, c.value) for c in sarc.counts] == [("n_treated", 84)]
    assert values(sarc) == {"ORR": 18.0}
    assert cohort_values(sarc) == {
        "UPS": {"ORR": 40.0},
        "DDLPS": {"ORR": 20.0},
        "OS": {"ORR": 5.0},
    }
    names = [c.name for c in sarc.cohorts]
    assert names == [
        "undifferentiated pleomorphic sarcoma",
        "dedifferentiated liposarcoma",
        "osteosarcoma",
    ]


def test_review_trials_with_their_results(review_records: list[TrialRecord]) -> None:
    expected = {
        ("toripalimab",): {"ORR": 25.0, "median_PFS": 11.1, "median_OS": 34.7},
        ("atezolizumab",): {"ORR": 37.0, "median_PFS": 20.8},
        ("pembrolizumab", "axitinib"): {"ORR": 25.0, "median_PFS": 4.7},
        ("anlotinib", "benmelstobart"): {"ORR": 36.7, "median_PFS": 7.8},
    }
    for agents, wanted in expected.items():
        assert values(by_agents(review_records, *agents)) == wanted
    assert values(by_id(review_records, "NCT03798106")) == {
        "ORR": 30.4,
        "median_PFS": 7.7,
    }
    anlotinib = by_agents(review_records, "anlotinib", "benmelstobart")
    assert [(c.kind, c.value) for c in anlotinib.counts] == [("n_enrolled", 30)]


def test_rates_at_a_time_point_are_kept_apart_from_medians(
    review_records: list[TrialRecord],
) -> None:
    immunosarc = by_id(review_records, "ImmunoSarc-I")
    rate = next(e for e in immunosarc.endpoints if e.endpoint == "OS_rate")
    assert (rate.value, rate.timepoint, rate.timepoint_months) == (
        100.0,
        "18 months",
        18.0,
    )
    assert values(immunosarc)["ORR"] == 21.0
    assert not any(e.endpoint == "median_OS" for e in immunosarc.endpoints)


def test_comparator_values_are_not_taken(review_records: list[TrialRecord]) -> None:
    trabectedin = by_agents(review_records, "trabectedin", "nivolumab")
    assert values(trabectedin) == {"median_PFS": 9.8, "median_OS": 24.6}
    assert any("4.4 months" in note for note in trabectedin.notes)


def test_arms_are_kept_apart(review_records: list[TrialRecord]) -> None:
    alliance = by_id(review_records, "A091401")
    arms = {a.name: {e.endpoint: e.value for e in a.endpoints} for a in alliance.arms}
    assert arms == {"nivolumab + ipilimumab": {"ORR": 16.0}, "nivolumab": {"ORR": 5.0}}
    assert not alliance.endpoints


def test_every_review_value_is_grounded(
    review: Document, review_records: list[TrialRecord]
) -> None:
    assert len(review_records) >= 25
    for record in review_records:
        assert ground(record, {review.id: review.text}) == []


def test_weeks_are_converted_and_the_original_kept() -> None:
    doc = make_doc(
        "Methods: In this phase II trial of nivolumab, 40 patients were enrolled.\n\n"
        "Results: The median PFS was 12 weeks (95% CI 8-16 weeks) and the 12-week "
        "PFS rate was 55%."
    )
    (record,) = extract_rules(doc)
    median = next(e for e in record.endpoints if e.endpoint == "median_PFS")
    assert (median.original_value, median.original_unit) == (12.0, "weeks")
    assert median.unit == "months"
    assert abs(median.value - 2.76) < 0.01
    assert median.ci_low is not None
    assert abs(median.ci_low - 1.84) < 0.01
    rate = next(e for e in record.endpoints if e.endpoint == "PFS_rate")
    assert (rate.value, rate.timepoint) == (55.0, "12 weeks")
    assert [(c.kind, c.value) for c in record.counts] == [("n_enrolled", 40)]


def test_background_values_of_other_trials_are_skipped_in_a_trial_report() -> None:
    doc = make_doc(
        "Background: Pembrolizumab alone gave an ORR of 18% in an earlier trial.\n\n"
        "Methods: This phase II trial tested durvalumab plus pazopanib.\n\n"
        "Results: The ORR was 30.4%, versus 15.1% in historical controls."
    )
    records = extract_rules(doc)
    assert [values(r) for r in records] == [{"ORR": 30.4}]
    assert {i.name for i in records[0].interventions} == {"durvalumab", "pazopanib"}


def test_enrolled_and_evaluable_are_kept_apart() -> None:
    doc = make_doc(
        "Methods: In this phase II trial of nivolumab, 35 patients were enrolled.\n\n"
        "Results: Among 30 evaluable patients, the ORR was 20%."
    )
    (record,) = extract_rules(doc)
    assert sorted((c.kind, c.value) for c in record.counts) == [
        ("n_enrolled", 35),
        ("n_evaluable", 30),
    ]


def test_results_table_gives_trial_and_cohort_values() -> None:
    doc = make_doc(
        "Methods: This phase II trial tested pembrolizumab.\n\n"
        "Cohort | Patients (n) | ORR (%) | Median PFS (weeks)\n\n"
        "All patients | 40 | 18 | 8\n\n"
        "UPS | 10 | 40 | 30"
    )
    (record,) = extract_rules(doc)
    assert values(record) == {"ORR": 18.0, "median_PFS": 1.84}  # 8 weeks
    (ups,) = record.cohorts
    assert (ups.subtype, ups.name) == ("UPS", "undifferentiated pleomorphic sarcoma")
    assert [(c.kind, c.value) for c in ups.counts] == [("n_enrolled", 10)]
    assert {e.endpoint: e.original_value for e in ups.endpoints} == {
        "ORR": 40,
        "median_PFS": 30,
    }
    assert all(e.evidence.quote.startswith("UPS |") for e in ups.endpoints)


def test_extraction_is_deterministic(review: Document) -> None:
    first = [r.model_dump() for r in extract_rules(review)]
    assert first == [r.model_dump() for r in extract_rules(review)]


def test_a_unit_that_is_not_time_is_a_value_error() -> None:
    from sarcolit.extraction.values import to_months

    assert to_months(2, "years") == 24
    with pytest.raises(ValueError, match="'cycles' is not a unit of time"):
        to_months(3, "cycles")


def test_number_words_are_counts() -> None:
    doc = make_doc(
        "Methods: In this phase II trial of pembrolizumab, Twenty-one patients were "
        "enrolled.\n\nResults: Seventy-six percent had stable disease; the ORR was 19%."
    )
    (record,) = extract_rules(doc)
    assert [(c.kind, c.value) for c in record.counts] == [("n_enrolled", 21)]
    assert ground(record, {doc.id: doc.text}) == []


@pytest.mark.parametrize(
    ("agent", "agent_class"),
    [("imatinib", "KIT TKI"), ("tazemetostat", "EZH2 inhibitor")],
)
def test_agents_search_knows_are_known_to_extraction(
    agent: str, agent_class: str
) -> None:
    doc = make_doc(
        f"Methods: In this phase II trial of {agent}, 30 patients were enrolled.\n\n"
        "Results: The ORR was 15%."
    )
    (record,) = extract_rules(doc)
    assert [(i.name, i.agent_class) for i in record.interventions] == [
        (agent, agent_class)
    ]
    assert agent in tag_text(doc.text).agents


def test_tags_and_records_share_one_subtype_identity() -> None:
    doc = make_doc(
        "Methods: In this phase II trial of afami-cel in synovial sarcoma, 44 "
        "patients were treated.\n\nResults: The ORR was 39% in synovial sarcoma "
        "and 25% in myxoid liposarcoma."
    )
    (record,) = extract_rules(doc)
    recorded = {s.value for s in record.subtypes} | {
        c.subtype for c in record.cohorts if c.subtype
    }
    assert recorded == {"SS", "MRCLS"}
    assert recorded == set(tag_text(doc.text).subtypes)
