"""Answers across trials, read from the whole corpus (real Chroma and MiniLM)."""

from __future__ import annotations

import pytest

from sarcolit.core.models import Answer, Document
from sarcolit.extraction import extract_document
from sarcolit.retrieval import Filters, HybridIndex, plan, synthesize, understand

pytestmark = pytest.mark.slow


def across(question: str, index: HybridIndex, **kwargs: object) -> Answer:
    query = understand(question)
    assert query is not None
    answer = synthesize(question, query, index, **kwargs)  # type: ignore[arg-type]
    assert answer is not None
    return answer


def assert_grounded(answer: Answer, index: HybridIndex) -> None:
    texts = {d.id: d.text for d in index.get_documents()}
    for citation in answer.citations:
        assert texts[citation.doc_id][citation.start : citation.end] == citation.quote
    for sentence in answer.sentences:
        assert sentence.citations, sentence.text  # every line cites
        assert sentence.text.startswith(sentence.label + ":")


def test_a_class_question_lists_every_trial_of_the_class(
    corpus_index: HybridIndex,
) -> None:
    answer = across(
        "Which trials combined a PD-1 inhibitor with a VEGFR tyrosine kinase "
        "inhibitor, and what response rates did they report?",
        corpus_index,
    )
    labels = " | ".join(s.label for s in answer.sentences)
    for regimen in (
        "axitinib + pembrolizumab",
        "nivolumab + sunitinib",
        "apatinib + camrelizumab",
        "anlotinib + sintilimab",
    ):
        assert regimen in labels
    assert "durvalumab" not in labels  # a PD-L1 antibody is not a PD-1 inhibitor
    assert_grounded(answer, corpus_index)
    assert answer.answer.count("\n") == len(answer.sentences) - 1  # a line each


def test_a_subtype_question_keeps_to_the_subtype(corpus_index: HybridIndex) -> None:
    answer = across(
        "What results have been reported in myxoid round cell liposarcoma?",
        corpus_index,
    )
    text = answer.answer
    assert "letetresgene autoleucel" in text
    assert "afamitresgene autoleucel" in text
    for sentence in answer.sentences:
        body = sentence.text[len(sentence.label) :].lower()
        assert "mrcls" in body or "liposarcoma" in body or "MRCLS" in sentence.label
    assert_grounded(answer, corpus_index)


def test_a_comparison_of_regimens_has_them_side_by_side(
    corpus_index: HybridIndex,
) -> None:
    documents: list[Document] = corpus_index.get_documents()
    records = [r for d in documents for r in extract_document(d).records]
    answer = across(
        "Compare afamitresgene autoleucel with letetresgene autoleucel.",
        corpus_index,
        records=records,
    )
    assert answer.table is not None
    assert answer.table.label == "Endpoint"
    assert len(answer.table.columns) >= 2
    assert any("afamitresgene" in c for c in answer.table.columns)
    assert any("letetresgene" in c for c in answer.table.columns)
    known = {c.id for c in answer.citations}
    for row in answer.table.rows:
        for cell in row.cells:
            assert set(cell.citations) <= known
            assert bool(cell.citations) == (cell.text != "-")


def test_filters_restrict_the_documents_read(corpus_index: HybridIndex) -> None:
    question = "Which trials combined a PD-1 inhibitor with a VEGFR TKI?"
    whole = across(question, corpus_index)
    osteosarcoma = across(question, corpus_index, filters=Filters(subtypes=("OS",)))
    assert len(osteosarcoma.sentences) < len(whole.sentences)
    assert "camrelizumab" in osteosarcoma.answer


def test_no_report_of_what_is_asked_is_no_answer(corpus_index: HybridIndex) -> None:
    query = understand("Which trials tested lifileucel in chordoma?")
    assert query is not None
    assert synthesize("q", query, corpus_index) is None


def test_a_toxicity_follow_up_is_not_held_to_the_earlier_subtype(
    corpus_index: HybridIndex,
) -> None:
    (part,) = plan("and what about its toxicity?", ["What did SARC028 show in UPS?"])
    assert part.query is not None
    assert "UPS" in part.query.subtypes
    answer = synthesize(part.question, part.query, corpus_index)
    assert answer is not None  # safety is reported for the whole trial
    assert all(s.label.startswith("SARC028") for s in answer.sentences)
    assert "adverse events" in answer.answer
    assert_grounded(answer, corpus_index)


def test_a_cohort_figure_in_a_table_cell_names_its_cohort(
    corpus_index: HybridIndex,
) -> None:
    documents: list[Document] = corpus_index.get_documents()
    records = [r for d in documents for r in extract_document(d).records]
    group_figures = {
        (c.subtype or c.name, f"{v.value:g}")
        for r in records
        for c in r.cohorts
        for v in c.endpoints
        if v.endpoint == "ORR"
    } | {
        (a.name, f"{v.value:g}")
        for r in records
        for a in r.arms
        for v in a.endpoints
        if v.endpoint == "ORR"
    }
    trial_figures = {
        f"{v.value:g}" for r in records for v in r.endpoints if v.endpoint == "ORR"
    }
    answer = across(
        "Which trials combined a PD-1 inhibitor with a VEGFR TKI, and what response "
        "rates did they report?",
        corpus_index,
        records=records,
    )
    assert answer.table is not None
    column = answer.table.columns.index("ORR")
    shown = [
        part.strip()
        for row in answer.table.rows
        for part in row.cells[column].text.split(";")
    ]
    labelled = [p for p in shown if " " in p]
    assert labelled  # the ASPS cohort of axitinib plus pembrolizumab
    for part in labelled:
        group, figure = part.rsplit(" ", 1)
        assert (group, figure.rstrip("%")) in group_figures
    for part in shown:
        if " " not in part and part != "-":
            assert part.rstrip("%") in trial_figures
