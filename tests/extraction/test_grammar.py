"""The results grammar on the sentence styles of real papers (issue 11).

Each case is a short single-trial text: the subject trial is named in its first
sentence and every value is checked for the trial, arm or cohort it is bound to.
What a text does not state for the subject must not appear (precision).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sarcolit.core.models import TrialRecord
from sarcolit.extraction import extract_rules
from sarcolit.ingest import read_document

from .conftest import make_doc

OPENING = "SARC099 (NCT09999999) is a phase 2 trial of pembrolizumab in sarcoma. "

Value = tuple[str, str, float, str | None]
"""(group, endpoint or count kind, value, time point): group '' is the trial."""


def _values(records: list[TrialRecord]) -> set[Value]:
    found: set[Value] = set()
    for record in records:
        groups = [("", record.counts, record.endpoints)]
        groups += [(a.name, a.counts, a.endpoints) for a in record.arms]
        groups += [(c.name, c.counts, c.endpoints) for c in record.cohorts]
        for name, counts, endpoints in groups:
            found |= {(name, e.endpoint, e.value, e.timepoint) for e in endpoints}
            found |= {(name, c.kind, float(c.value), None) for c in counts}
    return found


def values_of(results: str, opening: str = OPENING) -> set[Value]:
    """Return every value extracted from a one-trial text."""
    return _values(extract_rules(make_doc(opening + results)))


def endpoints_of(results: str, opening: str = OPENING) -> set[Value]:
    """Return the endpoint values only (counts left out)."""
    counts = ("n_enrolled", "n_treated", "n_evaluable")
    return {v for v in values_of(results, opening) if v[1] not in counts}


@pytest.mark.parametrize(
    "sentence",
    [
        "Seven of 40 patients (18%) had an objective response.",
        "An objective response occurred in 7 (18%) of 40 patients.",
        "The ORR was 18% (7/40).",
        "The objective response rate was 18% (95% CI 7-33).",
        "The objective response rate was 18% (95% CI: 7, 33).",
        "The objective response rate was 18% [95% confidence interval (CI) 7-33].",
        "The objective response rate was 18% (95% CI, 7 to 33).",
        "The objective response rate was 18.0% (90% CI 9.0-30.3).",
        "Objective responses were seen in 18% of patients (two-sided 95% CI 7-33).",
    ],
)
def test_response_rate_in_every_style(sentence: str) -> None:
    assert ("", "ORR", 18.0, None) in endpoints_of(sentence)
    # the interval's bounds and level are never values
    assert {v[2] for v in endpoints_of(sentence)} <= {18.0}


def test_fractions_give_the_number_of_patients_not_a_rate() -> None:
    found = values_of("Seven of 40 patients (18%) had an objective response.")
    assert ("", "n_evaluable", 40.0, None) in found
    assert not any(v[1] == "ORR" and v[2] in (7.0, 40.0) for v in found)


def test_numbers_written_as_words() -> None:
    found = values_of(
        "Fifty-two patients were enrolled. Nineteen of fifty-two patients "
        "responded (37%)."
    )
    assert ("", "n_enrolled", 52.0, None) in found
    assert ("", "ORR", 37.0, None) in found


def test_respectively_follows_the_listed_groups() -> None:
    found = endpoints_of(
        "Median progression-free survival was 1.7 and 4.1 months in the "
        "nivolumab and nivolumab plus ipilimumab groups, respectively.",
        opening="Alliance A091401 (NCT02500797) randomised patients to nivolumab "
        "with or without ipilimumab. ",
    )
    assert ("nivolumab", "median_PFS", 1.7, None) in found
    assert ("nivolumab + ipilimumab", "median_PFS", 4.1, None) in found


def test_respectively_aligns_time_points() -> None:
    found = endpoints_of(
        "The overall survival rates at 12 months and 24 months were 65% and 49%, "
        "respectively."
    )
    assert found == {
        ("", "OS_rate", 65.0, "12 months"),
        ("", "OS_rate", 49.0, "24 months"),
    }


@pytest.mark.parametrize(
    ("sentence", "point"),
    [
        ("The 12-week progression-free survival rate was 49%.", "12 weeks"),
        ("The progression-free rate at 12 weeks was 49%.", "12 weeks"),
        ("The 3-month PFS rate was 49%.", "3 months"),
        ("PFS at 6 months was 49% (95% CI 30-65).", "6 months"),
        ("Two-year overall survival was 49%.", "2 years"),
    ],
)
def test_rates_keep_their_time_point_as_written(sentence: str, point: str) -> None:
    (value,) = endpoints_of(sentence)
    assert value[2] == 49.0
    assert value[3] == point


def test_a_time_point_written_after_its_value_is_its_own() -> None:
    found = endpoints_of(
        "The progression-free survival rate was 28% (95% CI 17-40) at 12 months "
        "and 15% (95% CI 7-26) at 24 months."
    )
    assert found == {
        ("", "PFS_rate", 28.0, "12 months"),
        ("", "PFS_rate", 15.0, "24 months"),
    }


def test_medians_in_weeks_keep_the_unit_they_were_written_in() -> None:
    (record,) = extract_rules(
        make_doc(OPENING + "Median progression-free survival was 18 weeks (8-21).")
    )
    (value,) = record.endpoints
    assert (value.endpoint, value.original_value, value.original_unit) == (
        "median_PFS",
        18.0,
        "weeks",
    )
    assert value.value == pytest.approx(18 / 4.345, abs=0.05)


def test_per_cohort_results_in_one_sentence() -> None:
    found = endpoints_of(
        "In the angiosarcoma cohort 3 of 8 patients responded (ORR 37.5%), and in "
        "the UPS cohort 2 of 10 did (ORR 20%)."
    )
    assert found == {
        ("angiosarcoma", "ORR", 37.5, None),
        ("undifferentiated pleomorphic sarcoma", "ORR", 20.0, None),
    }


def test_cohort_counts_and_rates() -> None:
    found = values_of(
        "Responses were seen in four (40%) of ten patients with UPS and in two "
        "(20%) of ten with liposarcoma."
    )
    assert ("undifferentiated pleomorphic sarcoma", "ORR", 40.0, None) in found
    assert ("liposarcoma", "ORR", 20.0, None) in found
    assert ("undifferentiated pleomorphic sarcoma", "n_evaluable", 10.0, None) in found


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Two patients had a complete response.", {("", "CR", 2.0, None)}),
        ("There were 2 CRs.", {("", "CR", 2.0, None)}),
        (
            "The best response was complete in two patients (12%) and partial in "
            "ten (59%).",
            {("", "CR", 2.0, None), ("", "CR", 12.0, None)},
        ),
        ("No complete responses were observed.", {("", "CR", 0.0, None)}),
        ("The complete response rate was 5%.", {("", "CR", 5.0, None)}),
    ],
)
def test_complete_responses_counts_and_rates(
    sentence: str, expected: set[Value]
) -> None:
    assert endpoints_of(sentence) == expected


def test_duration_of_response() -> None:
    found = endpoints_of(
        "The median duration of response was 10.6 months (95% CI 4-NE)."
    )
    assert found == {("", "median_DOR", 10.6, None)}


def test_grade_3_or_higher_adverse_events() -> None:
    found = endpoints_of(
        "Thirteen (76%) patients had treatment-related adverse events, which "
        "reached grade 3 in two (12%)."
    )
    assert found == {("", "grade3plus_AE", 12.0, None)}


def test_one_named_event_is_not_the_grade_3_rate() -> None:
    found = endpoints_of(
        "Grade 3 or 4 adverse events included anaemia (six [14%]) and "
        "neutropenia (6/40, 15%)."
    )
    assert not any(v[1] == "grade3plus_AE" for v in found)


@pytest.mark.parametrize(
    "sentence",
    [
        "The median age was 63.5 years (range 24-90) and 12 women [60%] enrolled.",
        "Enrolment opened in January 2025 for HLA-A*02:06 positive patients.",
        "Stable disease was seen in 45% of patients.",
        "Among phase 2 patients the objective response rate was 13%.",
    ],
)
def test_values_the_text_does_not_state_for_the_trial(sentence: str) -> None:
    found = values_of(sentence)
    assert not any(v[1] in ("ORR", "n_enrolled") and v[2] != 0 for v in found), found


def test_results_of_another_named_trial_are_not_the_subjects() -> None:
    records = extract_rules(
        make_doc(
            OPENING + "The objective response rate was 18%. In the earlier "
            "Alliance A091401 trial (NCT02500797), nivolumab alone gave an "
            "objective response rate of 5%."
        )
    )
    by_id = {r.nct_ids[0].value: _values([r]) for r in records}
    assert by_id["NCT09999999"] == {("", "ORR", 18.0, None)}
    assert ("", "ORR", 5.0, None) in by_id["NCT02500797"]


def test_background_values_are_not_results() -> None:
    text = (
        "SARC099 (NCT09999999): pembrolizumab in sarcoma\n\n"
        "Background: Chemotherapy gives an objective response rate of 10% in this "
        "setting.\n\n"
        "Results: The objective response rate was 18%."
    )
    assert endpoints_of("", opening=text) == {("", "ORR", 18.0, None)}


def test_a_flattened_table_binds_values_by_its_header(tmp_path: Path) -> None:
    text = (
        "Table 2. Responses by cohort in SARC099 (NCT09999999), pembrolizumab\n\n"
        "Cohort\tN\tResponders\tORR (%)\tMedian PFS, mo\n"
        "UPS\t40\t9\t23\t3.0\n"
        "Liposarcoma\t39\t4\t10\t2.0\n"
    )
    path = tmp_path / "table.txt"
    path.write_text(text, encoding="utf-8")
    found = _values(extract_rules(read_document(path, max_bytes=100_000)))
    ups = "undifferentiated pleomorphic sarcoma"
    assert (ups, "ORR", 23.0, None) in found
    assert (ups, "median_PFS", 3.0, None) in found
    assert ("liposarcoma", "ORR", 10.0, None) in found
    # the responders column is a count of responses, not a rate or a sample size
    assert not any(v[2] in (9.0, 4.0) for v in found), found


def test_adding_an_agent_from_one_value_to_another() -> None:
    records = extract_rules(
        make_doc(
            "Checkpoint inhibitor combinations in sarcoma: a review\n\n"
            "In Alliance A091401 (NCT02500797), adding ipilimumab to nivolumab "
            "raised the confirmed response rate from 5% to 16%.",
            kind="review",
        )
    )
    (record,) = records
    arms = {_arm_key(a.name): {e.value for e in a.endpoints} for a in record.arms}
    assert arms == {"nivolumab": {5.0}, "ipilimumab+nivolumab": {16.0}}
    assert not any(e.value == 5.0 for e in record.endpoints)


def test_table_rows_of_one_trial_with_different_regimens_are_arms(
    tmp_path: Path,
) -> None:
    path = tmp_path / "review.md"
    path.write_text(
        "# Checkpoint inhibitors in sarcoma: a review\n\n"
        "| Regimen | Trial | Phase | N | ORR |\n|---|---|---|---|---|\n"
        "| Nivolumab | Alliance A091401 (NCT02500797) | II | 38 | 5% |\n"
        "| Nivolumab + ipilimumab | Alliance A091401 (NCT02500797) | II | 38 | 16% |\n"
        "| Pembrolizumab | SARC028 (NCT02301039) | II | 80 | 18% |\n",
        encoding="utf-8",
    )
    records = extract_rules(read_document(path, max_bytes=100_000))
    by_id = {r.nct_ids[0].value: r for r in records}
    a091401 = by_id["NCT02500797"]
    assert not a091401.endpoints  # no value is the whole trial's
    arms = {_arm_key(a.name): {e.value for e in a.endpoints} for a in a091401.arms}
    assert arms == {"nivolumab": {5.0}, "ipilimumab+nivolumab": {16.0}}
    assert [e.value for e in by_id["NCT02301039"].endpoints] == [18.0]


def _arm_key(name: str) -> str:
    return "+".join(sorted(part.strip() for part in name.split("+")))
