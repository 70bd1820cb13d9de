from __future__ import annotations

import pytest

from sarcolit.ingest.assemble import Block, assemble, document_id
from sarcolit.ingest.normalization import compounds, dehyphenate, normalize


@pytest.mark.parametrize(
    "dash", ["\u2212", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015"]
)
def test_dash_variants_become_ascii_hyphen(dash: str) -> None:
    assert normalize(f"PD{dash}L1") == "PD-L1"


@pytest.mark.parametrize("dash", ["\ufe58", "\ufe63", "\uff0d"])
def test_compatibility_dashes_become_ascii_hyphen(dash: str) -> None:
    assert normalize(f"soft{dash}tissue") == "soft-tissue"


def test_minus_sign_in_marker_name() -> None:
    assert normalize("PD\u2212L1") == "PD-L1"


def test_nbsp_becomes_space() -> None:
    assert normalize("Liu et\u00a0al.") == "Liu et al."


def test_ligature_is_expanded() -> None:
    assert normalize("\ufb01brosarcoma e\ufb00ect") == "fibrosarcoma effect"


@pytest.mark.parametrize(
    "invisible", ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060"]
)
def test_invisible_characters_are_removed(invisible: str) -> None:
    assert normalize(f"immuno{invisible}therapy") == "immunotherapy"


def test_byte_order_mark_is_removed() -> None:
    assert normalize("\ufeffSarcoma") == "Sarcoma"


def test_curly_quotes_become_straight() -> None:
    text = "\u201cimmunological quiet\u201d and \u2018cold\u2019, Ewing\u2019s sarcoma"
    assert normalize(text) == "\"immunological quiet\" and 'cold', Ewing's sarcoma"


def test_spaces_collapse_and_trailing_spaces_go_but_newlines_stay() -> None:
    assert normalize("a  \t b   \nc\t\n\n d  ") == "a b\nc\n\n d"


def test_carriage_returns_become_newlines() -> None:
    assert normalize("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_normalize_is_idempotent() -> None:
    text = (
        "PD\u2212L1\u00a0\ufb01 \u201cx\u201d \u2014 \ufe58 \u00ad \u2033 \u2026  \r\n"
    )
    once = normalize(text)
    assert normalize(once) == once


def test_dehyphenate_joins_lowercase_word_break() -> None:
    assert dehyphenate("an immuno-\ntherapy trial") == "an immunotherapy trial"


def test_dehyphenate_keeps_a_compound_the_document_writes_elsewhere() -> None:
    keep = compounds("median progression-free survival was 4.1 months")
    text = "the progression-\nfree rate and an immuno-\ntherapy"
    assert dehyphenate(text, keep) == "the progression-free rate and an immunotherapy"


def test_middle_dot_decimals_become_decimal_points_in_place() -> None:
    text = "HR 0\u00b761 (95% CI 0\u00b739-0\u00b796); 4\u00b77 months; a \u00b7 b"
    normal = normalize(text)
    assert normal == "HR 0.61 (95% CI 0.39-0.96); 4.7 months; a \u00b7 b"
    assert len(normal) == len(text)
    assert normalize(normal) == normal


def test_dehyphenate_keeps_hyphen_when_a_side_is_not_lowercase() -> None:
    assert dehyphenate("low PD-\nL1 levels") == "low PD-L1 levels"
    assert dehyphenate("anti-\nPD-1 therapy") == "anti-PD-1 therapy"
    assert dehyphenate("IL-\n2 dosing") == "IL-2 dosing"


def test_dehyphenate_handles_soft_hyphen_and_unicode_hyphen() -> None:
    assert dehyphenate("sar\u00ad\ncoma") == "sarcoma"
    assert dehyphenate("lympho\u2010\ncytes") == "lymphocytes"


def test_dehyphenate_joins_lines_and_keeps_paragraph_breaks() -> None:
    text = "first line  \n  second line\n\n\nnext paragraph\nends"
    assert dehyphenate(text) == "first line second line\n\nnext paragraph ends"


def test_assemble_normalises_once_and_records_sections() -> None:
    blocks = [
        Block("Preamble text."),
        Block("Results", "heading", 1),
        Block("PD\u2212L1 was high."),
        Block("Safety", "heading", 2),
        Block("   "),
        Block("No new signals."),
        Block("Discussion", "heading", 1),
        Block("Done."),
    ]
    doc = assemble(blocks, source="x/report.txt", title=None)
    assert doc.text == (
        "Preamble text.\n\nResults\n\nPD-L1 was high.\n\nSafety\n\n"
        "No new signals.\n\nDiscussion\n\nDone."
    )
    assert [s.path for s in doc.sections] == [
        "Results",
        "Results > Safety",
        "Discussion",
    ]
    safety = doc.sections[1]
    assert doc.text[safety.start : safety.end] == "Safety\n\nNo new signals."
    assert doc.section_at(0) == ""
    assert doc.section_at(doc.text.index("PD-L1")) == "Results"
    assert doc.title == "Results"
    assert doc.id == document_id(doc.text)
    assert len(doc.id) == 16


def test_assemble_title_falls_back_to_file_stem() -> None:
    doc = assemble([Block("Only a paragraph.")], source="dir/my-notes.txt", title=None)
    assert doc.title == "my-notes"
    assert doc.sections == ()


def test_assemble_treats_a_lone_top_heading_as_title() -> None:
    blocks = [
        Block("Paper title", "heading", 1),
        Block("Intro text."),
        Block("Methods", "heading", 2),
        Block("We did things."),
    ]
    doc = assemble(blocks, source="p.md", title=None)
    assert doc.title == "Paper title"
    assert [s.path for s in doc.sections] == ["Methods"]


def test_assemble_records_page_spans() -> None:
    blocks = [Block("One.", page=1), Block("Two.", page=1), Block("Three.", page=2)]
    doc = assemble(blocks, source="a.pdf", title="T")
    assert [(p.number, doc.text[p.start : p.end]) for p in doc.pages] == [
        (1, "One.\n\nTwo."),
        (2, "Three."),
    ]
