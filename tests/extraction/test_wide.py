"""The evidence table: one row per trial, arm or cohort; sources and disagreements."""

from __future__ import annotations

import csv
from pathlib import Path

from sarcolit.extraction import (
    WIDE_COLUMNS,
    extract_rules,
    merge_records,
    wide_rows,
    write_wide_csv,
)
from tests.extraction.conftest import make_doc

JOURNAL = (
    "Atezolizumab for advanced alveolar soft part sarcoma (NCT03141684)\n\n"
    "Results: Nineteen of the 52 patients (37%) had an objective response. "
    "Median progression-free survival was 20.8 months."
)
REGULATOR = (
    "FDA approval of atezolizumab for alveolar soft part sarcoma\n\n"
    "The approval rests on a single-arm study (NCT03141684) that enrolled 49 "
    "patients with ASPS. The ORR was 24% (95% CI: 13, 39)."
)
ARMS = (
    "Nivolumab with or without ipilimumab in sarcoma: a randomised phase 2 trial\n\n"
    "Results: The ORR was 5% in the nivolumab group and 16% in the nivolumab plus "
    "ipilimumab group."
)


def rows_of(*texts: tuple[str, str]) -> list:  # type: ignore[type-arg]
    records = []
    for doc_id, text in texts:
        records += extract_rules(make_doc(text, doc_id=doc_id))
    return wide_rows(merge_records(records))


def test_one_trial_from_two_documents_is_one_row_and_the_disagreement_shows() -> None:
    (row,) = rows_of(("journal", JOURNAL), ("fda", REGULATOR))
    orr = row.cells["orr"]
    assert [v.text for v in orr.values] == ["37%", "24%"]
    assert orr.disagreement
    assert orr.sources == 2
    assert {v.evidence.doc_id for v in orr.values} == {"journal", "fda"}
    assert row.cells["pfs"].text == "20.8 mo"
    assert not row.cells["pfs"].disagreement
    assert set(row.doc_ids) == {"journal", "fda"}
    assert not row.cells["n"].disagreement  # 52 evaluable and 49 enrolled differ


def test_arms_are_rows_of_their_own() -> None:
    rows = rows_of(("arms", ARMS))
    assert [(r.level, r.group, r.cells["orr"].text) for r in rows] == [
        ("trial", "", ""),
        ("arm", "nivolumab", "5%"),
        ("arm", "nivolumab + ipilimumab", "16%"),
    ]


def test_wide_csv_has_one_row_per_trial_arm_and_cohort(tmp_path: Path) -> None:
    records = merge_records(
        extract_rules(make_doc(JOURNAL, doc_id="journal"))
        + extract_rules(make_doc(REGULATOR, doc_id="fda"))
        + extract_rules(make_doc(ARMS, doc_id="arms"))
    )
    path = tmp_path / "table.csv"
    titles = {"journal": "NEJM 2023", "fda": "FDA 2022"}
    assert write_wide_csv(records, path, titles) == 4
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == WIDE_COLUMNS
        rows = list(reader)
    atezo = rows[0]
    assert (atezo["orr"], atezo["disagreements"], atezo["sources"]) == (
        "37% / 24%",
        "orr",
        "2",
    )
    assert atezo["documents"] == "NEJM 2023; FDA 2022"
    assert [r["level"] for r in rows[1:]] == ["trial", "arm", "arm"]
