from __future__ import annotations

from pathlib import Path

import pytest

from sarcolit.core.models import DocKind, Document, TrialRecord
from sarcolit.extraction import extract_rules
from sarcolit.ingest.normalization import normalize
from sarcolit.ingest.readers import read_document

ROOT = Path(__file__).resolve().parents[2]
REVIEW = ROOT / "corpus" / "reviews" / "sarcoma-immunotherapy-review.txt"
TRIALS = ROOT / "corpus" / "trials"


def make_doc(text: str, kind: DocKind = "trial", doc_id: str = "doc1") -> Document:
    return Document(
        id=doc_id, source=f"{doc_id}.txt", title=doc_id, kind=kind, text=normalize(text)
    )


@pytest.fixture(scope="session")
def review() -> Document:
    return read_document(REVIEW, max_bytes=10_000_000)


@pytest.fixture(scope="session")
def review_records(review: Document) -> list[TrialRecord]:
    return extract_rules(review)
