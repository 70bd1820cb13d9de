import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from sarcolit.core.errors import ConfigError
from sarcolit.core.models import (
    Answer,
    AnswerSentence,
    Chunk,
    Citation,
    Document,
    SearchHit,
)
from sarcolit.evals.gold import GoldQuestion, load_qa_gold
from sarcolit.evals.qa_run import run_qa_eval
from sarcolit.evals.runs import (
    check_gates,
    compare_runs,
    parse_thresholds,
    read_results,
)

ROWS = [
    {
        "id": "orr",
        "question": "What ORR did pembrolizumab achieve in SARC028?",
        "must_contain": ["18%"],
        "evidence": [{"doc": "reviews/mini.txt", "quote": "had an ORR of 18%"}],
        "section": "checkpoint",
    },
    {
        "id": "afami",
        "question": "What ORR did afami-cel achieve?",
        "must_contain": ["43.2%"],
        "evidence": [
            {"doc": "reviews/mini.txt", "quote": "Afami-cel achieved an ORR of 43.2%"}
        ],
        "section": "cell-therapy",
    },
    {
        "id": "none",
        "question": "What ORR did cabozantinib achieve?",
        "must_contain": [],
        "evidence": [],
        "section": "checkpoint",
        "unanswerable": True,
    },
]


def sentence_chunks(doc: Document) -> list[Chunk]:
    chunks, start = [], 0
    for n, piece in enumerate(doc.text.split(". ")):
        end = start + len(piece)
        chunks.append(
            Chunk(id=f"c{n}", doc_id=doc.id, start=start, end=end, text=piece)
        )
        start = end + 2
    return chunks


def words(text: str) -> set[str]:
    return {w.strip("?.,").lower() for w in text.split()}


def make_search(doc: Document) -> Callable[[str, int], Sequence[SearchHit]]:
    chunks = sentence_chunks(doc)

    def search(query: str, k: int) -> Sequence[SearchHit]:
        ranked = sorted(chunks, key=lambda c: -len(words(query) & words(c.text)))
        return [
            SearchHit(chunk=c, title=doc.title, score=1.0 / (i + 1))
            for i, c in enumerate(ranked[:k])
        ]

    return search


def make_answer(doc: Document, *, refuse_all: bool = False) -> Callable[[str], Answer]:
    search = make_search(doc)

    def answer(question: str) -> Answer:
        top = search(question, 1)[0].chunk
        if refuse_all or "cabozantinib" in question:
            return Answer(question=question, answer="No.", refused=True)
        cited = Citation(
            id=1,
            doc_id=doc.id,
            start=top.start,
            end=top.end,
            quote=top.text,
            title=doc.title,
        )
        return Answer(
            question=question,
            answer=f"{top.text} [1]",
            refused=False,
            sentences=(AnswerSentence(text=top.text, citations=(1,)),),
            citations=(cited,),
        )

    return answer


@pytest.fixture
def gold(tmp_path: Path, corpus: dict[str, Document]) -> list[GoldQuestion]:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS), encoding="utf-8")
    return load_qa_gold(path, corpus)


def test_run_writes_scores_items_report_and_plots(
    tmp_path: Path, gold: list[GoldQuestion], review: Document
) -> None:
    seen: list[tuple[int, int]] = []
    run = run_qa_eval(
        gold,
        search=make_search(review),
        answer=make_answer(review),
        out_dir=tmp_path / "run",
        k=2,
        settings={"answerer": "toy"},
        progress=lambda done, total: seen.append((done, total)),
    )
    metrics = run.results.metrics
    assert metrics["answer_correctness"] == 1.0
    assert metrics["refusal_accuracy"] == 1.0
    assert metrics["false_refusal_rate"] == 0.0
    assert metrics["wrong_answer_rate"] == 0.0
    assert metrics["citation_recall"] == 1.0
    assert metrics["mrr"] == 1.0
    assert metrics["recall@2"] == 1.0
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert run.results.breakdown["checkpoint"]["n"] == 2.0
    files = {p.name for p in (tmp_path / "run").iterdir()}
    assert {
        "results.json",
        "items.jsonl",
        "report.md",
        "metrics.png",
        "recall_at_k.png",
        "sections.png",
    } <= files
    assert (tmp_path / "run" / "metrics.png").read_bytes()[:4] == b"\x89PNG"
    lines = (tmp_path / "run" / "items.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["orr", "afami", "none"]
    assert json.loads(lines[0])["citations"][0]["quote"].endswith("had an ORR of 18%")
    assert read_results(tmp_path / "run").settings["answerer"] == "toy"


def test_compare_lists_what_got_worse(
    tmp_path: Path, gold: list[GoldQuestion], review: Document
) -> None:
    search = make_search(review)
    run_qa_eval(
        gold, search=search, answer=make_answer(review), out_dir=tmp_path / "a", k=2
    )
    worse = run_qa_eval(
        gold,
        search=search,
        answer=make_answer(review, refuse_all=True),
        out_dir=tmp_path / "b",
        k=2,
    )
    diff = compare_runs(tmp_path / "a", tmp_path / "b")
    assert [c.id for c in diff.worse] == ["orr", "afami"]
    assert diff.worse[0].deltas["correct"] == (1.0, 0.0)
    assert diff.better == ()
    assert diff.metrics["answer_correctness"] == (1.0, 0.0)
    assert (
        "## Items not answered correctly" in (tmp_path / "b" / "report.md").read_text()
    )
    assert worse.results.metrics["false_refusal_rate"] == 1.0


def test_gates() -> None:
    metrics = {"mrr": 0.5, "false_refusal_rate": 0.2}
    assert check_gates(metrics, parse_thresholds(["mrr=0.5"])) == []
    assert check_gates(metrics, {"mrr": 0.6}) == [
        "mrr = 0.500 is below the minimum 0.600"
    ]
    assert check_gates(metrics, {}, {"false_refusal_rate": 0.1}) == [
        "false_refusal_rate = 0.200 is above the maximum 0.100"
    ]
    with pytest.raises(ConfigError, match="unknown metric 'recall'"):
        check_gates(metrics, {"recall": 0.1})
    for spec in ("mrr", "mrr=high", "=0.5"):
        with pytest.raises(ConfigError, match="METRIC=VALUE"):
            parse_thresholds([spec])


def test_wrong_answer_rate_counts_answers_missing_a_fact_or_given_when_none_should_be(
    tmp_path: Path, gold: list[GoldQuestion], review: Document
) -> None:
    def confident(question: str) -> Answer:
        # Answers every question, the unanswerable one too, with one sentence
        # that holds none of the gold facts.
        return Answer(question=question, answer="The ORR was 6.2%.", refused=False)

    wrong = run_qa_eval(
        gold, search=make_search(review), answer=confident, out_dir=tmp_path / "w", k=2
    ).results.metrics
    assert wrong["wrong_answer_rate"] == 1.0
    assert wrong["false_refusal_rate"] == 0.0

    refusing = run_qa_eval(
        gold,
        search=make_search(review),
        answer=make_answer(review, refuse_all=True),
        out_dir=tmp_path / "r",
        k=2,
    ).results.metrics
    assert refusing["wrong_answer_rate"] == 0.0
    assert refusing["false_refusal_rate"] == 1.0
