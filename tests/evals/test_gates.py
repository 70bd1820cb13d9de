"""The default answerer and extractor, held to thresholds set from measured scores.

Thresholds are the scores measured when the gold sets were written (see the
report of issue 5), rounded down to two decimals (up for rates where lower is
better). Never lower one to make the suite pass: fix the regression, or raise
the threshold when a change improves the score.
"""

from pathlib import Path

import pytest

from sarcolit.core.models import Answer
from sarcolit.core.settings import Settings
from sarcolit.evals import (
    EXTRACTION_GOLD,
    QA_GOLD,
    check_gates,
    corpus_of,
    load_corpus,
    load_extraction_gold,
    load_qa_gold,
    run_extraction_eval,
    run_qa_eval,
)
from sarcolit.extraction import extract_document
from sarcolit.retrieval import HybridIndex, answer_question

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

# Measured on 120 questions (108 answerable, 12 unanswerable) with the
# extractive answerer of issue 10 (qualifiers held directly or through document
# context, another source's differing value given beside): recall@8 0.981, mrr
# 0.800, answer_correctness 0.981, refusal_accuracy 1.0, false_refusal_rate
# 0.0, wrong_answer_rate 0.017, citation recall and precision 0.960. These are
# in-sample: the answerer's rules were written against these questions.
# Command: sarcolit ingest corpus --data-dir DIR, then answer_question over
# that index (what this test runs; `sarcolit eval qa` adds answers across
# trials and measures 0.991).
# Each gate sits one question below (above, for rates) the measurement: the
# store's HNSW graph is built by several threads, so a neighbour at rank 8 can
# differ between two ingests of the same corpus (seen: recall@8 0.838 and
# 0.847 on one commit), and a gate at the measured value would fail at random.
QA_MINIMUMS = {
    "recall@8": 0.97,
    "mrr": 0.79,
    "answer_correctness": 0.97,
    "refusal_accuracy": 0.91,
    "citation_recall": 0.95,
    "citation_precision": 0.95,
}
QA_MAXIMUMS = {"false_refusal_rate": 0.01, "wrong_answer_rate": 0.03}
QA_LITERATURE_GOLD = CORPUS.parent / "evals" / "gold" / "qa_literature.jsonl"
# Measured on the literature styles (217 answerable, 38 unanswerable questions on
# corpus/literature; issue 10's development set): recall@8 0.926 (0.922 with
# the onnx: default embedder), mrr 0.634,
# answer_correctness 0.922, false_refusal_rate 0.055, refusal_accuracy 0.974,
# wrong_answer_rate 0.024, citation recall and precision 0.952. Issue 10's
# targets: correctness >= 0.85, recall@8 >= 0.9, wrong answers <= 0.05, false
# refusals <= 0.10, refusal accuracy >= 0.9.
QA_LITERATURE_MINIMUMS = {  # one question of margin, as above
    "recall@8": 0.915,
    "mrr": 0.62,
    "answer_correctness": 0.915,
    "refusal_accuracy": 0.94,
    "citation_recall": 0.95,
    "citation_precision": 0.95,
}
QA_LITERATURE_MAXIMUMS = {"false_refusal_rate": 0.065, "wrong_answer_rate": 0.03}
# Measured on 48 gold records of the review (issue 11's scorer: time points as
# written, arms and cohorts paired one to one, unpaired groups and second
# values as false positives): record_match_rate 0.979, record_precision 1.0,
# field precision 0.991 / recall 0.982, arm and cohort fields 1.0 / 1.0,
# all_field precision 0.993 / recall 0.985, grounding_rate 1.0.
EXTRACTION_MINIMUMS = {
    "record_match_rate": 0.97,
    "record_precision": 0.99,
    "field_f1": 0.98,
    "field_precision": 0.99,
    "field_recall": 0.98,
    "arm_field_f1": 1.0,
    "cohort_field_f1": 0.99,
    "all_field_precision": 0.99,
    "all_field_recall": 0.98,
    "grounding_rate": 1.0,
}
LITERATURE_GOLD = CORPUS.parent / "evals" / "gold" / "extraction_literature.jsonl"
# Measured on 66 records of corpus/literature (issue 11): record_match_rate 1.0,
# record_precision 0.904, field precision 0.957 / recall 0.960, arm fields
# 1.0 / 0.939, cohort fields 0.979 / 0.928, all fields 0.967 / 0.948,
# grounding_rate 1.0. Command: sarcolit eval extraction --gold
# evals/gold/extraction_literature.jsonl --corpus corpus --out DIR.
LITERATURE_MINIMUMS = {
    "record_match_rate": 0.98,
    "record_precision": 0.9,
    "field_precision": 0.95,
    "field_recall": 0.95,
    "arm_field_precision": 0.99,
    "arm_field_recall": 0.93,
    "cohort_field_precision": 0.97,
    "cohort_field_recall": 0.92,
    "all_field_precision": 0.96,
    "all_field_recall": 0.94,
    "grounding_rate": 1.0,
}


def _qa_metrics(
    gold_path: Path, index: HybridIndex, settings: Settings, out_dir: Path
) -> dict[str, float]:
    """Answer a gold file with the extractive answerer over ``index``; its metrics."""
    gold = load_qa_gold(gold_path, corpus_of(index.get_documents()))

    def answer(question: str) -> Answer:
        return answer_question(question, index, settings)

    run = run_qa_eval(
        gold,
        search=lambda query, k: index.search(query, k),
        answer=answer,
        out_dir=out_dir,
        k=8,
    )
    return run.results.metrics


@pytest.mark.slow
def test_extractive_answerer_meets_qa_thresholds(
    corpus_index: HybridIndex, corpus_settings: Settings, tmp_path: Path
) -> None:
    metrics = _qa_metrics(QA_GOLD, corpus_index, corpus_settings, tmp_path / "qa")
    assert check_gates(metrics, QA_MINIMUMS, QA_MAXIMUMS) == [], metrics


@pytest.mark.slow
def test_extractive_answerer_meets_literature_thresholds(
    corpus_index: HybridIndex, corpus_settings: Settings, tmp_path: Path
) -> None:
    metrics = _qa_metrics(
        QA_LITERATURE_GOLD, corpus_index, corpus_settings, tmp_path / "literature"
    )
    gates = check_gates(metrics, QA_LITERATURE_MINIMUMS, QA_LITERATURE_MAXIMUMS)
    assert gates == [], metrics


@pytest.mark.slow
def test_rule_extractor_meets_extraction_thresholds(tmp_path: Path) -> None:
    corpus = load_corpus(CORPUS, max_bytes=50_000_000)
    run = run_extraction_eval(
        load_extraction_gold(EXTRACTION_GOLD, corpus),
        corpus,
        extract=lambda doc: extract_document(doc).records,
        out_dir=tmp_path / "extraction",
    )
    metrics = run.results.metrics
    assert check_gates(metrics, EXTRACTION_MINIMUMS) == [], metrics


@pytest.mark.slow
def test_rule_extractor_meets_literature_thresholds(tmp_path: Path) -> None:
    corpus = load_corpus(CORPUS, max_bytes=50_000_000)
    run = run_extraction_eval(
        load_extraction_gold(LITERATURE_GOLD, corpus),
        corpus,
        extract=lambda doc: extract_document(doc).records,
        out_dir=tmp_path / "literature",
    )
    metrics = run.results.metrics
    assert check_gates(metrics, LITERATURE_MINIMUMS) == [], metrics
