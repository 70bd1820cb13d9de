"""Kind and subject trial are read from a document's own text."""

from __future__ import annotations

from pathlib import Path

import pytest

from sarcolit.core.models import Tags
from sarcolit.ingest import read_document
from sarcolit.ingest.chunking import chunk_document

REPORT = """Nivolumab plus axitinib in advanced clear cell sarcoma: a single-arm trial

Background Clear cell sarcoma responds poorly to chemotherapy. Methods In this \
open-label phase 2 study, adults received nivolumab with axitinib until \
progression. Results Twenty patients were treated. The objective response rate \
was 25% and median progression-free survival was 4.1 months. Conclusions The \
combination was active.

This trial is registered with ClinicalTrials.gov, NCT09990001. An earlier study \
of axitinib alone (NCT09990002) informed the dose.
"""
REVIEW = """Immunotherapy in sarcoma: a narrative review

SARC028 tested pembrolizumab (NCT02301039). Alliance A091401 tested nivolumab \
with or without ipilimumab (NCT02500797). The objective response rate was 18% \
in SARC028.
"""
APPROVAL = """Approval summary: atezolizumab for alveolar soft part sarcoma

On 9 December 2022 the Food and Drug Administration approved atezolizumab for \
adults and children aged two years and older with alveolar soft part sarcoma. \
Efficacy was evaluated in study ML39345 (NCT03141684). The overall response rate \
was 24%.
"""


def test_single_trial_report_gets_its_subject_from_title_and_registration(
    tmp_path: Path,
) -> None:
    doc = read_document(_write(tmp_path, "report.txt", REPORT), max_bytes=1_000_000)
    assert doc.kind == "trial"
    assert doc.subject is not None
    assert doc.subject.agents == ("axitinib", "nivolumab")
    assert doc.subject.subtypes == ("CCS",)
    assert doc.subject.phase == "II"
    # the registration line names the trial's own id, not the earlier study's
    assert doc.subject.nct_ids == ("NCT09990001",)


def test_every_chunk_of_a_single_trial_text_carries_its_context(
    tmp_path: Path,
) -> None:
    doc = read_document(_write(tmp_path, "report.txt", REPORT), max_bytes=1_000_000)
    result = next(c for c in chunk_document(doc, 40) if "25%" in c.text)
    assert "NCT09990001" not in result.tags.nct_ids  # the passage names no id
    assert result.context.nct_ids == ("NCT09990001",)
    assert "CCS" in result.context.subtypes
    assert "nivolumab" in result.context.agents


def test_review_names_several_trials_and_has_no_subject(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, "review.txt", REVIEW), max_bytes=1_000_000)
    assert doc.kind == "review"
    assert doc.subject is None
    assert all(c.context == Tags() for c in chunk_document(doc, 40))


def test_a_text_that_discusses_two_trials_reports_neither(tmp_path: Path) -> None:
    text = REPORT.split("This trial is registered")[0] + (
        "SARC028 and Alliance A091401 reported similar rates.\n"
    )
    doc = read_document(_write(tmp_path, "essay.txt", text), max_bytes=1_000_000)
    assert doc.kind == "article"
    assert doc.subject is None


def test_regulatory_text_is_recognised_with_its_product(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, "approval.txt", APPROVAL), max_bytes=1_000_000)
    assert doc.kind == "regulatory"
    assert doc.subject is not None
    assert doc.subject.agents == ("atezolizumab",)
    assert doc.subject.nct_ids == ("NCT03141684",)


@pytest.mark.parametrize(
    ("kind", "expected"), [("review", "review"), ("trial", "trial")]
)
def test_a_sidecar_kind_wins_over_the_inferred_one(
    tmp_path: Path, kind: str, expected: str
) -> None:
    path = _write(tmp_path, "report.txt", REPORT)
    (tmp_path / "report.meta.json").write_text(f'{{"kind": "{kind}"}}')
    assert read_document(path, max_bytes=1_000_000).kind == expected


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
