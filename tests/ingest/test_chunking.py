from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from sarcolit.core.models import Chunk, Document
from sarcolit.ingest.assemble import Block, assemble
from sarcolit.ingest.chunking import chunk_document, count_tokens, sentence_spans
from sarcolit.ingest.readers import read_document

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
REVIEW = ROOT / "corpus" / "reviews" / "sarcoma-immunotherapy-review.txt"
DOCUMENTS = [
    REVIEW,
    DATA / "ici-combinations.md",
    DATA / "immunotherapy-article.html",
    DATA / "sarcoma-cell-therapy.nxml",
]


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_et_al_with_citation_does_not_split() -> None:
    text = (
        "Liu et al. (90) reported a 19.4% ORR with pembrolizumab. Nasr et al. agreed."
    )
    assert sentences(text) == [
        "Liu et al. (90) reported a 19.4% ORR with pembrolizumab.",
        "Nasr et al. agreed.",
    ]


def test_decimals_and_parenthesised_citations_do_not_split() -> None:
    text = (
        "Median PFS was 16.2 months versus other subtypes (4.4 months). "
        "The best activity was in UPS (64). Osteosarcoma responded less."
    )
    assert sentences(text) == [
        "Median PFS was 16.2 months versus other subtypes (4.4 months).",
        "The best activity was in UPS (64).",
        "Osteosarcoma responded less.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Some histologies (e.g. angiosarcoma) have high TMB.",
        "Translocation-driven subtypes, i.e. SS, have low TMB.",
        "Nivolumab vs. Ipilimumab was compared.",
        "See Fig. 2 for the design.",
        "Trial No. 5 enrolled approx. 30 patients.",
        "Dr. Smith treated them.",
        "Afami-cel was approved by the U.S. FDA in 2024.",
        "Inside parentheses (the trial stopped. Then it restarted) nothing splits.",
    ],
)
def test_abbreviations_do_not_split(text: str) -> None:
    assert sentences(text) == [text]


def test_spans_are_absolute_and_trimmed() -> None:
    text = "xx  First one. Second one!  Third?\n\nRow a | row b. Still the row\nyy"
    spans = sentence_spans(text, 2, len(text) - 3)
    assert [text[s:e] for s, e in spans] == [
        "First one.",
        "Second one!",
        "Third?",
        "Row a | row b. Still the row",
    ]
    assert spans[0][0] == 4


def test_count_tokens_errs_high_and_grows_with_length() -> None:
    assert count_tokens("") == 0
    assert count_tokens("the cat") == 2
    assert count_tokens("pembrolizumab") > count_tokens("drug")
    assert count_tokens("NCT03277924") >= 8
    assert count_tokens("ORR of 34.7 months.") >= 7


def read(path: Path) -> Document:
    return read_document(path, max_bytes=5_000_000)


def check_chunks(doc: Document, chunks: list[Chunk], budget: int) -> None:
    assert chunks
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.text == chunk.text.strip()
        assert chunk.id == f"{doc.id}:{chunk.start}-{chunk.end}"
        assert chunk.doc_id == doc.id
        assert count_tokens(chunk.text) <= budget
        assert doc.section_at(chunk.start) == chunk.section
        assert doc.section_at(chunk.end - 1) == chunk.section
        assert chunk.page == doc.page_at(chunk.start)
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
@pytest.mark.parametrize("budget", [24, 64, 200])
def test_chunks_are_exact_in_section_and_within_budget(path: Path, budget: int) -> None:
    doc = read(path)
    check_chunks(doc, chunk_document(doc, budget), budget)


def test_review_chunks_cover_every_sentence() -> None:
    doc = read(REVIEW)
    chunks = chunk_document(doc, 200)
    covered = "".join(c.text for c in chunks)
    for start, end in sentence_spans(doc.text):
        sentence = doc.text[start:end]
        if any(start == s.start for s in doc.sections):
            continue  # a heading: carried by chunk.section, not by chunk text
        assert sentence in covered


def test_chunks_carry_section_tags() -> None:
    doc = read(REVIEW)
    chunks = chunk_document(doc, 200)
    tcr = [c for c in chunks if c.section == "TCR-T"]
    assert tcr
    assert all("TCR-T" in c.tags.agent_classes for c in tcr)
    lete = next(c for c in tcr if "lete-cel" in c.text)
    assert "letetresgene autoleucel" in lete.tags.agents
    assert "NCT03967223" in lete.tags.nct_ids


def test_long_sentence_is_split_at_word_boundaries() -> None:
    words = " ".join(f"word{n}" for n in range(300)) + "."
    doc = assemble([Block("Long", "heading"), Block(words)], source="l.txt", title="L")
    chunks = chunk_document(doc, 40)
    assert len(chunks) > 5
    check_chunks(doc, chunks, 40)
    assert all(
        not c.text.startswith(" ") and doc.text[c.end - 1] != " " for c in chunks
    )
    assert " ".join(c.text for c in chunks) == words


def test_giant_word_is_cut_within_budget() -> None:
    blob = "x" * 500
    doc = assemble([Block(blob)], source="b.txt", title="B")
    chunks = chunk_document(doc, 30)
    assert "".join(c.text for c in chunks) == blob
    check_chunks(doc, chunks, 30)


def test_budget_must_be_positive() -> None:
    doc = assemble([Block("Text.")], source="t.txt", title="T")
    with pytest.raises(ValueError, match="max_tokens must be positive"):
        chunk_document(doc, 0)
