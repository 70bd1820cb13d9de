import json
from pathlib import Path

import pytest

from sarcolit.core.models import (
    ArmResult,
    CohortResult,
    CountValue,
    Document,
    EndpointName,
    EndpointValue,
    Evidence,
    Intervention,
    PhaseValue,
    TextValue,
    TrialRecord,
)
from sarcolit.core.vocabulary import default_vocabulary
from sarcolit.evals.extraction_groups import ARM_RULES, COHORT_RULES, pair_groups
from sarcolit.evals.extraction_run import run_extraction_eval
from sarcolit.evals.extraction_scores import (
    compare_fields,
    compare_groups,
    endpoint_field,
    grounding,
    key_tier,
    match_records,
    record_fields,
    values_match,
)
from sarcolit.evals.gold import ExtractionGoldRow, GoldGroup, load_extraction_gold

VOCAB = default_vocabulary()
TEXT = (
    "SARC028 (NCT02301039) was a phase II trial: 84 patients got pembrolizumab. "
    "The ORR was 18% and median PFS 4.5 months; UPS had an ORR of 40%. "
    "In A091401, nivolumab plus ipilimumab gave 16% versus 5% for nivolumab."
)
DOC = Document(id="doc", source="trials/mini.txt", title="Mini", text=TEXT)


def ev(fragment: str) -> Evidence:
    start = TEXT.index(fragment)
    return Evidence(
        doc_id="doc", start=start, end=start + len(fragment), quote=fragment
    )


def orr(value: float, fragment: str) -> EndpointValue:
    return EndpointValue(
        endpoint="ORR",
        value=value,
        unit="%",
        original_value=value,
        original_unit="%",
        evidence=ev(fragment),
    )


SARC028 = TrialRecord(
    names=(TextValue(value="SARC028", evidence=ev("SARC028")),),
    phase=(PhaseValue(value="II", evidence=ev("phase II")),),
    interventions=(Intervention(name="pembrolizumab", evidence=ev("pembrolizumab")),),
    counts=(CountValue(kind="n_treated", value=84, evidence=ev("84 patients")),),
    endpoints=(
        orr(18.0, "ORR was 18%"),
        EndpointValue(
            endpoint="median_PFS",
            value=4.5,
            unit="months",
            original_value=4.5,
            original_unit="months",
            evidence=ev("median PFS 4.5 months"),
        ),
    ),
    cohorts=(
        CohortResult(name="UPS", subtype="UPS", endpoints=(orr(40.0, "ORR of 40%"),)),
    ),
    doc_ids=("doc",),
)
ALLIANCE = TrialRecord(
    names=(TextValue(value="A091401", evidence=ev("A091401")),),
    interventions=(
        Intervention(name="nivolumab", evidence=ev("nivolumab plus")),
        Intervention(name="ipilimumab", evidence=ev("ipilimumab")),
    ),
    arms=(
        ArmResult(name="nivolumab + ipilimumab", endpoints=(orr(16.0, "16%"),)),
        ArmResult(name="nivolumab", endpoints=(orr(5.0, "5%"),)),
    ),
    doc_ids=("doc",),
)


def gold(**row: object) -> ExtractionGoldRow:
    return ExtractionGoldRow.model_validate_json(
        json.dumps({"id": "g", "doc": "trials/mini.txt", **row})
    )


def test_records_flatten_to_gold_field_names() -> None:
    assert record_fields(SARC028) == {
        "n_patients": (84,),
        "orr_percent": (18.0,),
        "median_pfs_months": (4.5,),
        "phase": ("II",),
    }
    rate = EndpointValue(
        endpoint="PFS_rate",
        value=36.8,
        unit="%",
        original_value=36.8,
        original_unit="%",
        timepoint="12 months",
        timepoint_months=12.0,
        evidence=ev("ORR was 18%"),
    )
    assert endpoint_field(rate) == "pfs_rate_12m_percent"


def weeks(
    endpoint: EndpointName, value: float, timepoint: str | None = None
) -> EndpointValue:
    median = endpoint.startswith("median")
    return EndpointValue(
        endpoint=endpoint,
        value=round(value * 12 / 52.18, 2) if median else value,
        unit="months" if median else "%",
        original_value=value,
        original_unit="weeks" if median else "%",
        timepoint=timepoint,
        timepoint_months=None if timepoint is None else 2.76,
        evidence=ev("median PFS 4.5 months"),
    )


def test_time_points_and_medians_keep_the_unit_the_text_gives() -> None:
    rate = weeks("PFS_rate", 55.0, "12 weeks")
    assert endpoint_field(rate) == "pfs_rate_12w_percent"
    two_years = rate.model_copy(update={"timepoint": "2 years", "timepoint_months": 24})
    assert endpoint_field(two_years) == "pfs_rate_24m_percent"
    record = SARC028.model_copy(update={"endpoints": (weeks("median_PFS", 18.0),)})
    fields = record_fields(record)
    assert fields["median_pfs_weeks"] == (18.0,)
    (months,) = fields["median_pfs_months"]
    assert months == pytest.approx(4.14, abs=0.01)


def test_numeric_tolerance_and_text_values() -> None:
    assert values_match(18, 18.04)
    assert not values_match(18, 18.2)
    assert values_match(100, 100.9)
    assert values_match("II", "ii")
    assert not values_match("II", "I/II")
    assert not values_match(18, "18")


def test_field_counts_wrong_value_is_a_miss_and_a_false_positive() -> None:
    counts = compare_fields(
        {"orr_percent": 18, "median_os_months": 12.0, "phase": "II"},
        {"orr_percent": (25.0,), "phase": ("II",), "dcr_percent": (60.0,)},
    )
    assert (counts.tp, counts.fp, counts.fn) == (1, 2, 2)
    assert counts.precision() == pytest.approx(1 / 3)
    assert counts.recall() == pytest.approx(1 / 3)
    assert counts.f1() == pytest.approx(1 / 3)
    assert counts.wrong == ("orr_percent", "median_os_months", "dcr_percent")


def test_key_tiers_and_one_to_one_matching() -> None:
    by_nct = gold(keys={"nct_id": "NCT02301039"}, fields={})
    wrong_nct = gold(keys={"nct_id": "NCT99999999", "name": "SARC028"}, fields={})
    by_name = gold(keys={"name": "Alliance A091401"}, fields={})
    by_agents = gold(keys={"interventions": ["Keytruda"]}, fields={"orr_percent": 18})
    with_nct = SARC028.model_copy(
        update={
            "nct_ids": (TextValue(value="NCT02301039", evidence=ev("NCT02301039")),)
        }
    )
    assert key_tier(by_nct, with_nct, VOCAB) == 3
    assert key_tier(wrong_nct, with_nct, VOCAB) == 0
    assert key_tier(by_name, ALLIANCE, VOCAB) == 2
    assert (
        key_tier(by_agents, SARC028, VOCAB) == 1
    )  # 'Keytruda' resolves to pembrolizumab
    assert match_records([by_agents, by_name, by_nct], [ALLIANCE, SARC028], VOCAB) == {
        0: 1,
        1: 0,
    }


def groups(*names: str) -> list[GoldGroup]:
    return [GoldGroup(name=name, fields={}) for name in names]


def test_groups_pair_by_agents_subtypes_and_qualifiers() -> None:
    arms = groups("nivolumab + ipilimumab", "nivolumab")
    assert pair_groups(
        arms, ["nivolumab", "ipilimumab plus nivolumab"], ARM_RULES, VOCAB
    ) == {
        0: 1,
        1: 0,
    }
    cohorts = groups(
        "undifferentiated pleomorphic sarcoma", "classic Kaposi sarcoma",
        "endemic Kaposi sarcoma", "ASPS or clear cell sarcoma",
    )  # fmt: skip
    found = ["endemic Kaposi sarcoma", "UPS", "ASPS/CCS", "classic Kaposi sarcoma"]
    assert pair_groups(cohorts, found, COHORT_RULES, VOCAB) == {0: 1, 1: 3, 2: 0, 3: 2}


def test_the_control_arm_pairs_with_the_arm_that_has_no_agent() -> None:
    arms = groups("pembrolizumab + radiotherapy + surgery", "radiotherapy + surgery")
    assert pair_groups(arms, ["control", "pembrolizumab"], ARM_RULES, VOCAB) == {
        0: 1,
        1: 0,
    }


def test_a_predicted_group_the_gold_lacks_is_all_false_positives() -> None:
    gold = [GoldGroup(name="UPS", fields={"orr_percent": 40})]
    found, counts = compare_groups(
        gold,
        [
            ("UPS", {"orr_percent": (40.0,)}),
            ("LMS", {"orr_percent": (0.0,), "n_patients": (10,)}),
        ],
        COHORT_RULES,
        VOCAB,
    )
    assert found == 1
    assert (counts.tp, counts.fp, counts.fn) == (1, 2, 0)
    assert counts.wrong == ("+LMS.orr_percent", "+LMS.n_patients")


def test_grounding_counts_quotes_that_match_the_document() -> None:
    assert grounding([SARC028], {"doc": DOC}) == (7, 7)
    shifted = DOC.model_copy(update={"text": "x" + TEXT})
    grounded, total = grounding([SARC028], {"doc": shifted})
    assert (grounded, total) == (0, 7)
    assert grounding([SARC028], {}) == (0, 7)


def test_run_scores_records_arms_and_cohorts(tmp_path: Path) -> None:
    rows = [
        {
            "id": "s",
            "doc": "trials/mini.txt",
            "keys": {"name": "SARC028"},
            "fields": {
                "phase": "II",
                "n_patients": 84,
                "orr_percent": 18,
                "median_os_months": 10,
            },
            "cohorts": [
                {"name": "UPS", "fields": {"orr_percent": 40}},
                {"name": "osteosarcoma", "fields": {"orr_percent": 5}},
            ],
        },
        {
            "id": "a",
            "doc": "trials/mini.txt",
            "keys": {"name": "A091401", "interventions": ["nivolumab", "ipilimumab"]},
            "fields": {},
            "arms": [
                {"name": "nivolumab plus ipilimumab", "fields": {"orr_percent": 16}},
                {"name": "nivolumab", "fields": {"orr_percent": 5}},
            ],
        },
        {
            "id": "m",
            "doc": "trials/mini.txt",
            "keys": {"name": "SPEARHEAD-1"},
            "fields": {"orr_percent": 43.2},
        },
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    corpus = {"trials/mini.txt": DOC}
    run = run_extraction_eval(
        load_extraction_gold(path, corpus),
        corpus,
        extract=lambda doc: [SARC028, ALLIANCE],
        out_dir=tmp_path / "run",
    )
    m = run.results.metrics
    assert m["record_match_rate"] == pytest.approx(2 / 3)
    assert m["record_precision"] == 1.0
    # trial fields: s has 3 right of 4 (+1 extra median_pfs); m's one field is missed.
    assert m["field_recall"] == pytest.approx(3 / 5)
    assert m["field_precision"] == pytest.approx(3 / 4)
    assert m["arm_field_recall"] == 1.0
    assert m["cohort_match_rate"] == 0.5
    assert m["cohort_field_recall"] == 0.5
    assert m["grounding_rate"] == 1.0
    items = {i.id: i for i in run.items}
    assert items["m"].matched is None
    assert items["s"].cohort_counts.wrong == ("osteosarcoma.orr_percent",)
    report = (tmp_path / "run" / "report.md").read_text()
    assert "`m` SPEARHEAD-1 (trials/mini.txt): not found" in report
    assert (tmp_path / "run" / "fields.png").is_file()
