import json
from pathlib import Path

import pytest

from sarcolit.core.errors import GoldFileError
from sarcolit.core.models import Document
from sarcolit.evals.gold import (
    QA_GOLD,
    find_document,
    load_corpus,
    load_qa_gold,
)

ROW = {
    "id": "q1",
    "question": "What ORR did pembrolizumab achieve in SARC028?",
    "must_contain": ["18%"],
    "evidence": [{"doc": "reviews/mini.txt", "quote": "had an ORR of 18%"}],
    "section": "checkpoint",
    "unanswerable": False,
}
CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "gold.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loads_rows_and_locates_quotes(
    tmp_path: Path, corpus: dict[str, Document]
) -> None:
    unanswerable = {
        **ROW,
        "id": "q2",
        "must_contain": [],
        "evidence": [],
        "unanswerable": True,
    }
    (first, second) = load_qa_gold(write(tmp_path, ROW, "", unanswerable), corpus)
    span = first.spans[0]
    assert corpus["reviews/mini.txt"].text[span.start : span.end] == "had an ORR of 18%"
    assert span.doc_id == "rev1"
    assert (first.line, second.line) == (1, 3)
    assert second.spans == ()


def test_missing_quote_names_the_line(
    tmp_path: Path, corpus: dict[str, Document]
) -> None:
    bad = {
        **ROW,
        "id": "q2",
        "evidence": [{"doc": "reviews/mini.txt", "quote": "ORR of 81%"}],
    }
    with pytest.raises(GoldFileError) as info:
        load_qa_gold(write(tmp_path, ROW, bad), corpus)
    assert info.value.line == 2
    assert "ORR of 81%" in info.value.reason


def test_quote_copied_from_the_raw_text_is_normalised_at_load(
    tmp_path: Path, corpus: dict[str, Document]
) -> None:
    raw = {
        **ROW,
        "evidence": [{"doc": "Mini review", "quote": "phase\u00a0II\n  SARC028"}],
    }
    (loaded,) = load_qa_gold(write(tmp_path, raw), corpus)
    span = loaded.spans[0]
    text = corpus["reviews/mini.txt"].text
    assert text[span.start : span.end] == span.quote == "phase II SARC028"


def test_plain_string_evidence_is_found_in_whichever_document_holds_it(
    tmp_path: Path, corpus: dict[str, Document]
) -> None:
    plain = {**ROW, "evidence": ["had an ORR of 18%"]}
    (loaded,) = load_qa_gold(write(tmp_path, plain), corpus)
    assert loaded.spans[0].doc_id == "rev1"
    nowhere = {**ROW, "evidence": ["had an ORR of 81%"]}
    with pytest.raises(GoldFileError, match="in no corpus document"):
        load_qa_gold(write(tmp_path, nowhere), corpus)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id": "q1", "question": "x"', "malformed JSON"),
        (
            json.dumps({k: v for k, v in ROW.items() if k != "question"}),
            "field 'question'",
        ),
        (json.dumps({**ROW, "must_contain": "18%"}), "field 'must_contain'"),
        (json.dumps({**ROW, "unanswerable": "no"}), "field 'unanswerable'"),
        (
            json.dumps({**ROW, "evidence": [{"doc": "reviews/mini.txt"}]}),
            "field 'evidence.0.quote'",
        ),
        (json.dumps({**ROW, "answer": "18%"}), "field 'answer'"),
        (json.dumps({**ROW, "unanswerable": True}), "unanswerable row"),
        (json.dumps({**ROW, "evidence": []}), "answerable row needs"),
    ],
)
def test_malformed_rows_name_line_and_field(
    tmp_path: Path, corpus: dict[str, Document], line: str, expected: str
) -> None:
    with pytest.raises(GoldFileError) as info:
        load_qa_gold(write(tmp_path, ROW, line), corpus)
    assert info.value.line == 2
    assert expected in str(info.value)
    assert str(info.value).startswith(f"{tmp_path / 'gold.jsonl'}:2:")


def test_duplicate_ids_and_unknown_documents(
    tmp_path: Path, corpus: dict[str, Document]
) -> None:
    with pytest.raises(GoldFileError, match="duplicate id 'q1' \\(first on line 1\\)"):
        load_qa_gold(write(tmp_path, ROW, ROW), corpus)
    elsewhere = {**ROW, "evidence": [{"doc": "trials/x.txt", "quote": "ORR"}]}
    with pytest.raises(GoldFileError, match="not in the corpus"):
        load_qa_gold(write(tmp_path, elsewhere), corpus)


def test_empty_file_is_an_error(tmp_path: Path, corpus: dict[str, Document]) -> None:
    with pytest.raises(GoldFileError, match="no rows"):
        load_qa_gold(write(tmp_path, ""), corpus)


def test_documents_are_found_by_key_title_tail_or_name(review: Document) -> None:
    corpus = {"/data/corpus/reviews/mini.txt": review}
    assert find_document(corpus, "/data/corpus/reviews/mini.txt") is review
    assert find_document(corpus, "mini review") is review
    assert find_document(corpus, "reviews/mini.txt") is review
    assert find_document(corpus, "mini.txt") is review
    assert find_document(corpus, "other/mini.txt") is None
    assert find_document({**corpus, "b/mini.txt": review}, "mini.txt") is None


def test_bundled_gold_set_loads_against_the_corpus() -> None:
    corpus = load_corpus(CORPUS, max_bytes=10_000_000)
    questions = load_qa_gold(QA_GOLD, corpus)
    rows = [q.row for q in questions]
    assert len(rows) >= 80
    assert sum(r.unanswerable for r in rows) >= 12
    sections = {r.section for r in rows}
    for topic in (
        "biomarkers",
        "checkpoint-monotherapy",
        "checkpoint-combinations",
        "chemo-immunotherapy",
        "tki-combinations",
        "real-world",
        "tcr-t",
        "car-t",
        "tils",
        "oncolytic-viruses",
        "vaccines",
        "cytokines",
    ):
        assert topic in sections
