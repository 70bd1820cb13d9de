import json
from pathlib import Path

import pytest

from sarcolit.core.errors import GoldFileError
from sarcolit.core.models import Document
from sarcolit.evals import SYNTHESIS_GOLD, load_corpus, load_synthesis_gold
from sarcolit.evals.matching import contains_fact

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
FACT = {
    "fact": "pembrolizumab 18%",
    "must_contain": ["pembrolizumab", "18%"],
    "evidence": [{"doc": "reviews/mini.txt", "quote": "had an ORR of 18%"}],
}
ROW = {
    "id": "s1",
    "question": "Which agents were tested, and with what response rates?",
    "kind": "list",
    "facts": [
        FACT,
        {
            "fact": "afami-cel 43.2%",
            "alternatives": [["afami-cel", "43.2%"], ["afamitresgene", "43.2%"]],
            "evidence": ["Afami-cel achieved an ORR of 43.2%"],
        },
    ],
}


def write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "synthesis.jsonl"
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loads_facts_and_locates_their_quotes(
    tmp_path: Path, corpus: dict[str, Document]
) -> None:
    (question,) = load_synthesis_gold(write(tmp_path, ROW), corpus)
    first, second = question.facts
    text = corpus["reviews/mini.txt"].text
    assert [text[s.start : s.end] for s in first.spans] == ["had an ORR of 18%"]
    assert second.fact.options() == (
        ("afami-cel", "43.2%"),
        ("afamitresgene", "43.2%"),
    )
    assert first.fact.options() == (("pembrolizumab", "18%"),)
    assert first.fact.evidence_match == "any"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"kind": "summary"}, "field 'kind'"),
        ({"facts": []}, "field 'facts'"),
        ({"kind": "followup"}, "field 'history'"),
        ({"facts": [{**FACT, "alternatives": [["x"]]}]}, "not both"),
        ({"facts": [{**FACT, "evidence": ["an ORR of 81%"]}]}, "81%"),
    ],
)
def test_a_bad_row_names_its_line(
    tmp_path: Path, corpus: dict[str, Document], change: dict[str, object], reason: str
) -> None:
    bad = {**ROW, "id": "s2", **change}
    with pytest.raises(GoldFileError) as info:
        load_synthesis_gold(write(tmp_path, ROW, "", bad), corpus)
    assert info.value.line == 3
    assert reason in info.value.reason


def test_bundled_gold_loads_and_each_value_is_in_its_evidence() -> None:
    corpus = load_corpus(CORPUS, max_bytes=10_000_000)
    questions = load_synthesis_gold(SYNTHESIS_GOLD, corpus)
    assert len(questions) >= 30
    kinds = {q.row.kind for q in questions}
    assert kinds == {
        "list",
        "class",
        "subtype",
        "comparison",
        "yesno",
        "multipart",
        "followup",
    }
    for question in questions:
        assert 4 <= len(question.facts) <= 10, question.row.id
        for fact in question.facts:
            quotes = " ".join(span.quote for span in fact.spans)
            values = [s for option in fact.fact.options() for s in option]
            assert any(contains_fact(quotes, v) for v in values), (
                question.row.id,
                fact.fact.fact,
            )
