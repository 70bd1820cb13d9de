"""Fuzzing the readers, the normaliser and the chunker (fixed seeds, bounded counts).

Every mutated file must either read into a document whose chunks point into its
text, or fail with the file's one-line ``IngestError``; no other exception may
escape, because one would stop a whole ingest or extract batch.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pymupdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sarcolit.core.errors import IngestError
from sarcolit.ingest import READERS, normalize, read_document
from sarcolit.ingest.assemble import Block, assemble
from sarcolit.ingest.chunking import chunk_document, sentence_spans
from tests.conftest import CORPUS, DATA

SEED = 20240614
MUTANTS_PER_FILE = 200
PUBMED = b"""<?xml version="1.0"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation><Article>
<ArticleTitle>Pembrolizumab in sarcoma</ArticleTitle>
<Abstract><AbstractText Label="RESULTS">The ORR was 18% (7 of 40).</AbstractText>
</Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>
"""
# Letters, combining marks, invisible characters, dashes, quotes and line breaks:
# the characters where normalisation has edge cases.
TRICKY = (
    "ae\u0301\u0308\u0327 \t\n\r\u00a0\u00ad\u200b\u200c\u200d\u2060\ufeff"
    "\u2010\u2013\u2212\u2018\u2019\u201c\u201d\u00b4\u2033\ufb01\uff21.!?()[]|%1"
)


def _seeds(tmp: Path) -> list[Path]:
    """Real corpus and test files of every suffix the readers take."""
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in READERS)
    files += sorted(p for p in DATA.iterdir() if p.suffix in READERS)
    pubmed = tmp / "pubmed.xml"
    pubmed.write_bytes(PUBMED)
    files.append(pubmed)
    return files


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """Flip, drop, duplicate or truncate bytes; several edits at a time."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if not buf:
            break
        at = rng.randrange(len(buf))
        match rng.randrange(5):
            case 0:
                buf[at] ^= 1 << rng.randrange(8)
            case 1:
                buf[at] = rng.randrange(256)
            case 2:
                del buf[at : at + rng.randint(1, 64)]
            case 3:
                buf[at:at] = buf[at : at + rng.randint(1, 256)]
            case _:
                del buf[rng.randint(1, len(buf)) :]
    return bytes(buf)


def _pdf_with_cycle(source: Path, target: Path) -> None:
    """Save a copy of ``source`` whose page tree points back at itself."""
    # pymupdf's Document constructor carries no annotations.
    with pymupdf.open(source) as pdf:  # type: ignore[no-untyped-call]
        pages = int(pdf.xref_get_key(pdf.pdf_catalog(), "Pages")[1].split()[0])
        pdf.xref_set_key(pages, "Kids", f"[{pages} 0 R]")
        pdf.save(target)


def _check(path: Path, outcomes: Counter[str]) -> None:
    """Read, normalise and chunk ``path``; only IngestError may escape."""
    error: IngestError | None = None
    try:
        document = read_document(path, max_bytes=10_000_000)
    except IngestError as exc:
        error = exc
    if error is not None:
        assert "\n" not in str(error)
        outcomes["IngestError"] += 1
        return
    assert normalize(document.text) == document.text
    for chunk in chunk_document(document, 64):
        assert document.text[chunk.start : chunk.end] == chunk.text
    outcomes["read"] += 1


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_mutated_files_of_every_suffix_read_or_fail_with_ingest_error(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    seeds = _seeds(tmp_path)
    assert {p.suffix for p in seeds} >= {".txt", ".md", ".html", ".pdf", ".nxml"}
    outcomes: Counter[str] = Counter()
    count = 0
    for seed in seeds:
        data = seed.read_bytes()
        for n in range(MUTANTS_PER_FILE):
            mutant = tmp_path / f"m{count}{seed.suffix}"
            mutant.write_bytes(_mutate(data, rng))
            _check(mutant, outcomes)
            mutant.unlink()
            count += 1
            if seed.suffix == ".pdf" and n % 8 == 0:
                cyclic = tmp_path / f"cycle{count}.pdf"
                _pdf_with_cycle(seed, cyclic)
                _check(cyclic, outcomes)
                count += 1
    print(f"fuzzed {count} files: {dict(outcomes)}")
    assert count >= 2000
    assert outcomes["read"] > 0
    assert outcomes["IngestError"] > 0


def test_pdf_with_a_page_tree_cycle_is_one_ingest_error(tmp_path: Path) -> None:
    pdf = next(CORPUS.rglob("*.pdf"))
    cyclic = tmp_path / "cycle.pdf"
    _pdf_with_cycle(pdf, cyclic)
    with pytest.raises(IngestError, match="cycle in page tree") as caught:
        read_document(cyclic, max_bytes=10_000_000)
    assert caught.value.path == cyclic


def test_a_reader_bug_becomes_the_files_ingest_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.nxml"
    nested = "<sec>" * 5000 + "<p>x</p>" + "</sec>" * 5000
    deep.write_text(f"<article><body>{nested}</body></article>", encoding="utf-8")
    reasons = []
    try:
        read_document(deep, max_bytes=10_000_000)
    except IngestError as exc:
        reasons.append(exc.reason)
    assert all("\n" not in reason for reason in reasons)


@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=40))
@settings(max_examples=1500, derandomize=True, deadline=None)
def test_normalize_is_idempotent_on_tricky_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(st.text(max_size=80))
@settings(max_examples=1000, derandomize=True, deadline=None)
def test_normalize_is_idempotent_on_any_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


def test_zero_width_between_letter_and_combining_mark_is_idempotent() -> None:
    once = normalize("caf e\u200b\u0301 a\u00ad\u0308")
    assert normalize(once) == once
    assert once == "caf \u00e9 \u00e4"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["para", "heading", "row"]),
            st.text(alphabet=st.sampled_from(TRICKY), max_size=60),
        ),
        max_size=12,
    )
)
@settings(
    max_examples=600,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_chunks_and_sentences_point_into_any_assembled_text(
    blocks: list[tuple[str, str]],
) -> None:
    document = assemble(
        [Block(text, kind) for kind, text in blocks],  # type: ignore[arg-type]
        source="fuzz.txt",
        title=None,
    )
    for start, end in sentence_spans(document.text):
        assert 0 <= start < end <= len(document.text)
    for chunk in chunk_document(document, 24):
        assert document.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip()


def test_one_line_text_without_a_final_period_is_read_as_text(
    tmp_path: Path,
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Pembrolizumab in UPS responded\n", encoding="utf-8")
    document = read_document(note, max_bytes=1000)
    assert document.text == "Pembrolizumab in UPS responded"
    assert [c.text for c in chunk_document(document, 64)] == [document.text]
