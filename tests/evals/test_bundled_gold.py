"""Consistency of the bundled gold sets with the corpus they describe."""

from pathlib import Path

from sarcolit.evals.gold import QA_GOLD, load_corpus, load_qa_gold
from sarcolit.evals.matching import contains_fact

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_every_fact_is_stated_in_its_evidence() -> None:
    corpus = load_corpus(CORPUS, max_bytes=10_000_000)
    for question in load_qa_gold(QA_GOLD, corpus):
        evidence = " ".join(span.quote for span in question.spans)
        for fact in question.row.must_contain:
            assert contains_fact(evidence, fact), (question.row.id, fact)


def test_every_quote_occurs_once() -> None:
    corpus = load_corpus(CORPUS, max_bytes=10_000_000)
    texts = {doc.id: doc.text for doc in corpus.values()}
    for question in load_qa_gold(QA_GOLD, corpus):
        for span in question.spans:
            assert texts[span.doc_id].count(span.quote) == 1, (
                question.row.id,
                span.quote,
            )
