from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from sarcolit.core.errors import IngestError
from sarcolit.core.models import Document
from sarcolit.ingest.chunking import chunk_document
from sarcolit.ingest.readers import READERS, read_document

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
REVIEW = ROOT / "corpus" / "reviews" / "sarcoma-immunotherapy-review.txt"
LIMIT = 5_000_000


def read(path: Path) -> Document:
    return read_document(path, max_bytes=LIMIT)


def path_ends(doc: Document) -> set[str]:
    return {s.path.split(" > ")[-1] for s in doc.sections}


# --- plain text: the seed review ------------------------------------------------


@pytest.fixture(scope="module")
def review() -> Document:
    return read(REVIEW)


def test_review_headings_become_sections(review: Document) -> None:
    ends = path_ends(review)
    for heading in (
        "Introduction",
        "Biomarkers of immunotherapy response",
        "TCR-T",
        "Conclusion and future direction",
        "TILs",
        "PD-L1 expression",
    ):
        assert heading in ends


def test_review_captions_and_sentences_are_not_headings(review: Document) -> None:
    ends = path_ends(review)
    assert not any(end.startswith(("Table 1", "Figure 1")) for end in ends)
    assert all(not end.endswith(".") for end in ends)


def test_review_abstract_precedes_first_section(review: Document) -> None:
    assert review.text.startswith("Sarcomas are heterogeneous mesenchymal")
    assert review.section_at(0) == ""
    intro = next(s for s in review.sections if s.path == "Introduction")
    assert review.text[intro.start : intro.end].startswith("Introduction\n\nSarcomas")


def test_review_sidecar_sets_title_kind_and_year(review: Document) -> None:
    assert review.title == "Immunotherapy for advanced sarcoma: a review"
    assert review.kind == "review"
    assert review.year is None


def test_review_text_is_normalised(review: Document) -> None:
    assert "\u2212" not in review.text
    assert "\u00a0" not in review.text
    assert "\u201c" not in review.text
    assert "PD-L1" in review.text


def test_review_sections_do_not_overlap(review: Document) -> None:
    spans = [(s.start, s.end) for s in review.sections]
    assert spans == sorted(spans)
    assert all(
        a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans)
    )


# --- Markdown, HTML, JATS -----------------------------------------------------


def test_markdown_headings_paragraphs_and_rows() -> None:
    doc = read(DATA / "ici-combinations.md")
    assert doc.title == "Checkpoint inhibitor combinations in sarcoma"
    assert [s.path for s in doc.sections] == [
        "With chemotherapy",
        "With TKIs",
        "With TKIs > Axitinib",
        "With TKIs > Sunitinib",
    ]
    assert "Pembrolizumab + axitinib | ASPS | 54.5%" in doc.text
    assert "|---" not in doc.text
    assert "**" not in doc.text
    assert "https://" not in doc.text
    assert 'aims to turn "cold" sarcomas' in doc.text  # wrapped lines joined
    assert (
        doc.section_at(doc.text.index("Durvalumab + pazopanib"))
        == "With TKIs > Axitinib"
    )


def test_html_drops_scripts_and_reads_headings_and_table() -> None:
    doc = read(DATA / "immunotherapy-article.html")
    assert doc.title == "Checkpoint inhibitors in alveolar soft part sarcoma"
    for marker in ("SCRIPT-MARKER", "NAV-MARKER", "NOSCRIPT-MARKER", "COMMENT-MARKER"):
        assert marker not in doc.text
    assert "font-family" not in doc.text
    assert "Regimen | Phase | ORR" in doc.text
    assert "Pembrolizumab + axitinib | II | 54.5%" in doc.text
    assert "anti-PD-L1 antibody" in doc.text  # U+2011 folded
    assert [s.path for s in doc.sections] == [
        "Single agents",
        "Single agents > Combinations with TKIs",
    ]
    assert doc.section_at(doc.text.index("Sunitinib plus")) == (
        "Single agents > Combinations with TKIs"
    )


def test_jats_nested_sections_table_and_metadata() -> None:
    doc = read(DATA / "sarcoma-cell-therapy.nxml")
    assert doc.title == "Engineered T cells for synovial sarcoma"
    assert doc.kind == "article"
    assert doc.year == 2024
    assert [s.path for s in doc.sections] == [
        "Abstract",
        "Background",
        "TCR-T therapies",
        "TCR-T therapies > Letetresgene autoleucel",
        "TCR-T therapies > Afamitresgene autoleucel",
    ]
    assert "Lete-cel | NY-ESO-1 | 39%" in doc.text
    assert "Table 1 | Responses to engineered TCR-T cells" in doc.text
    assert "REFERENCE-MARKER" not in doc.text
    row = doc.text.index("Afami-cel | MAGE-A4")
    assert doc.section_at(row) == "TCR-T therapies > Afamitresgene autoleucel"


def test_pubmed_xml_labelled_abstract(tmp_path: Path) -> None:
    path = tmp_path / "record.xml"
    path.write_text(
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><Article>"
        "<Journal><JournalIssue><PubDate><Year>2023</Year></PubDate></JournalIssue>"
        "</Journal><ArticleTitle>Axitinib plus pembrolizumab in ASPS</ArticleTitle>"
        "<Abstract><AbstractText Label='BACKGROUND'>ASPS resists chemotherapy."
        "</AbstractText><AbstractText Label='RESULTS'>The ORR was 54.5%.</AbstractText>"
        "</Abstract><PublicationTypeList><PublicationType>Clinical Trial, Phase II"
        "</PublicationType></PublicationTypeList></Article></MedlineCitation>"
        "</PubmedArticle></PubmedArticleSet>",
        encoding="utf-8",
    )
    doc = read(path)
    assert doc.title == "Axitinib plus pembrolizumab in ASPS"
    assert doc.year == 2023
    assert doc.kind == "trial"
    assert [s.path for s in doc.sections] == ["Background", "Results"]
    assert doc.section_at(doc.text.index("The ORR was")) == "Results"


# --- PDF ----------------------------------------------------------------------


# pymupdf's annotations are partial: its objects are used untyped here.
MUPDF: Any = pymupdf


def make_pdf(path: Path) -> None:
    pdf = MUPDF.open()
    page = pdf.new_page()
    page.insert_text((72, 72), "Cell therapy for sarcoma", fontsize=20)
    page.insert_text((72, 110), "Introduction", fontsize=14)
    page.insert_text(
        (72, 135),
        "Adoptive T-cell therapy uses engineered lymphocytes. Lete-cel is an immuno-\n"
        "therapy that targets NY-ESO-1 in synovial sarcoma. It was tested in PD-\n"
        "L1 negative tumors.",
        fontsize=11,
    )
    page.insert_text((300, 800), "1", fontsize=9)
    page = pdf.new_page()
    page.insert_text(
        (72, 72), "Responses were seen in most cohorts of the study.", fontsize=11
    )
    page.insert_text((72, 110), "Results", fontsize=14)
    page.insert_text(
        (72, 135),
        "In SPEARHEAD-1, afami-cel gave an ORR of 43.2% in SS. Responses lasted\n"
        "about six months.",
        fontsize=11,
    )
    pdf.save(path)
    pdf.close()


@pytest.fixture
def pdf_doc(tmp_path: Path) -> Document:
    path = tmp_path / "cell-therapy.pdf"
    make_pdf(path)
    return read(path)


def test_pdf_headings_pages_and_dehyphenation(pdf_doc: Document) -> None:
    assert pdf_doc.title == "Cell therapy for sarcoma"
    assert [s.path for s in pdf_doc.sections] == ["Introduction", "Results"]
    assert [p.number for p in pdf_doc.pages] == [1, 2]
    assert "an immunotherapy that" in pdf_doc.text
    assert "PD-L1 negative" in pdf_doc.text
    assert "\n\n1\n\n" not in pdf_doc.text  # the page number is dropped
    assert pdf_doc.page_at(pdf_doc.text.index("Lete-cel")) == 1
    assert pdf_doc.page_at(pdf_doc.text.index("SPEARHEAD-1")) == 2
    intro = pdf_doc.sections[0]
    assert pdf_doc.page_at(intro.start) == 1
    assert pdf_doc.page_at(intro.end - 1) == 2  # the section runs onto page 2


def test_pdf_chunks_keep_section_and_page(pdf_doc: Document) -> None:
    chunks = chunk_document(pdf_doc, 200)
    by_text = {c.text.split()[0]: (c.section, c.page) for c in chunks}
    assert by_text["Adoptive"] == ("Introduction", 1)
    assert by_text["Responses"] == ("Introduction", 2)
    assert by_text["In"] == ("Results", 2)
    for chunk in chunks:
        assert chunk.text == pdf_doc.text[chunk.start : chunk.end]
        assert pdf_doc.page_at(chunk.end - 1) == chunk.page


# --- read_document checks -----------------------------------------------------


def reason(path: Path, max_bytes: int = LIMIT) -> str:
    with pytest.raises(IngestError) as info:
        read_document(path, max_bytes=max_bytes)
    assert info.value.path == path or info.value.path.name.endswith(".meta.json")
    assert "\n" not in str(info.value)
    return info.value.reason


def test_readers_cover_every_suffix() -> None:
    assert set(READERS) == {
        ".txt",
        ".md",
        ".markdown",
        ".html",
        ".htm",
        ".pdf",
        ".xml",
        ".nxml",
    }


def test_missing_file(tmp_path: Path) -> None:
    assert reason(tmp_path / "absent.txt") == "no such file"


def test_unknown_suffix_lists_supported(tmp_path: Path) -> None:
    path = tmp_path / "slides.pptx"
    path.write_bytes(b"PK\x03\x04")
    text = reason(path)
    assert "unsupported file type '.pptx'" in text
    for suffix in (".nxml", ".pdf", ".md", ".htm"):
        assert suffix in text


def test_over_size_limit_names_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Sarcoma. " * 200, encoding="utf-8")
    text = reason(path, max_bytes=100)
    assert "1,800 bytes" in text
    assert "100-byte limit" in text
    assert "SARCOLIT_INGEST__MAX_BYTES" in text


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_bytes(b"")
    assert reason(path) == "the file is empty"


def test_binary_content(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(b"abc\x00\x01\x02")
    assert reason(path).startswith("binary content (NUL byte at offset 3)")


def test_undecodable_bytes_give_offset_and_advice(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Ewing sarcoma, caf\u00e9".encode("latin-1"))
    text = reason(path)
    assert "not valid UTF-8: byte 0xe9 at offset 18" in text
    assert "re-save the file as UTF-8" in text


def test_whitespace_only_file_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(" \n\u00a0\n\u200b\n", encoding="utf-8")
    assert reason(path).startswith("no text left after normalisation")


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\nthis is not really a pdf\n%%EOF\n")
    assert reason(path).startswith("not a readable PDF")


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    pdf = MUPDF.open()
    pdf.new_page().insert_text((72, 72), "Secret sarcoma data.")
    pdf.save(path, encryption=MUPDF.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    pdf.close()
    assert reason(path).startswith("the PDF is encrypted")


def test_malformed_xml_gives_parser_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.nxml"
    path.write_text("<article><body><p>unclosed</body></article>", encoding="utf-8")
    text = reason(path)
    assert text.startswith("malformed XML: ")
    assert "line 1" in text


def test_unknown_xml_root(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text("<rss><channel/></rss>", encoding="utf-8")
    assert "neither a JATS <article> nor PubMed XML" in reason(path)


def test_malformed_sidecar_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Some sarcoma notes.", encoding="utf-8")
    sidecar = tmp_path / "notes.meta.json"
    sidecar.write_text("{title: oops", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        read_document(path, max_bytes=LIMIT)
    assert info.value.path == sidecar
    assert info.value.reason.startswith("malformed metadata sidecar")


def test_sidecar_with_wrong_types_lists_allowed_keys(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Some sarcoma notes.", encoding="utf-8")
    (tmp_path / "notes.meta.json").write_text(
        json.dumps({"title": "T", "kind": "poem", "yaer": 2020}), encoding="utf-8"
    )
    text = reason(path)
    assert "kind" in text
    assert "yaer" in text
    assert "allowed keys" in text


def test_sidecar_overrides_reader(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Found title\n\nText about sarcoma.\n", encoding="utf-8")
    (tmp_path / "notes.meta.json").write_text(
        json.dumps({"title": "Given title", "year": 2021, "kind": "trial"}),
        encoding="utf-8",
    )
    doc = read(path)
    assert (doc.title, doc.year, doc.kind) == ("Given title", 2021, "trial")
