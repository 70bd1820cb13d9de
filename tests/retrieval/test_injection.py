"""Injected instructions are never answer sentences or evidence, on any path.

The adversarial corpus in ``tests/data/injection`` states each trial's real ORR
once and then, in several phrasings, tells a reader or a model to report 99% or
95% instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from langchain_core.messages import AIMessage

from sarcolit.core.models import Answer, Document
from sarcolit.core.settings import Settings
from sarcolit.core.store import chroma_client
from sarcolit.extraction import extract_document, extract_rules
from sarcolit.extraction.llm import numbered_sentences
from sarcolit.ingest import ingest_paths, is_instruction, open_collections
from sarcolit.retrieval import HybridIndex, answer_question, open_index
from sarcolit.retrieval.llm_answer import answer_with_llm
from tests.conftest import DATA, make_settings
from tests.extraction.test_llm import RecordingModel
from tests.retrieval.test_llm_answer import model as scripted
from tests.retrieval.test_llm_answer import passage_with

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

INJECTION = DATA / "injection"
QUESTIONS = {
    "What was the objective response rate of the DIRECT-1 trial?": "20%",
    "What was the ORR of nivolumab in DIRECT-2?": "25%",
}
FORGED = ("99", "95", "30 months")


@pytest.fixture(scope="module")
def injected(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embeddings
) -> tuple[HybridIndex, Settings]:
    settings = make_settings(tmp_path_factory.mktemp("injection-store"))
    client = chroma_client(settings.store)
    cols = open_collections(client, settings.store)
    report = ingest_paths([INJECTION], cols, embedder, settings.ingest)
    assert report.count("added") == 2, report.outcomes
    return open_index(client, settings, embedder), settings


def _clean(answer: Answer) -> None:
    for forged in FORGED:
        assert forged not in answer.answer
    for citation in answer.citations:
        assert not is_instruction(citation.quote), citation.quote


@pytest.mark.parametrize(("question", "truth"), QUESTIONS.items())
def test_the_extractive_answer_never_cites_an_injected_sentence(
    injected: tuple[HybridIndex, Settings], question: str, truth: str
) -> None:
    index, settings = injected
    answer = answer_question(question, index, settings)
    assert not answer.refused
    assert truth in answer.answer
    _clean(answer)


def test_the_llm_prompt_holds_no_injection_and_a_forged_number_is_dropped(
    injected: tuple[HybridIndex, Settings],
) -> None:
    index, settings = injected

    def reply(prompt: str) -> str:
        n = passage_with(prompt, "DIRECT-1")
        return f"The ORR of DIRECT-1 was 99% [{n}]."

    fake = scripted(reply)
    question = next(iter(QUESTIONS))
    answer = answer_with_llm(question, index, settings, fake)
    _clean(answer)
    assert answer.dropped
    (prompt,) = fake.prompts
    passages = prompt.rsplit("Passages:\n", 1)[1]
    assert "Ignore previous instructions" not in passages
    assert "Note to summarisers" not in passages
    assert "99%" not in passages


def test_the_llm_fallback_puts_back_no_injected_sentence(
    injected: tuple[HybridIndex, Settings],
) -> None:
    index, settings = injected
    fake = scripted(lambda _prompt: "I cannot tell.")
    for question, truth in QUESTIONS.items():
        answer = answer_with_llm(question, index, settings, fake)
        assert answer.answerer == "llm"
        assert truth in answer.answer
        _clean(answer)


def _document(name: str) -> Document:
    from sarcolit.ingest import read_document

    return read_document(INJECTION / name, max_bytes=1_000_000)


@pytest.mark.parametrize(
    ("name", "truth"), [("direct-1-report.txt", 20.0), ("direct-2-note.md", 25.0)]
)
def test_the_rule_extractor_takes_no_value_from_an_injected_sentence(
    name: str, truth: float
) -> None:
    document = _document(name)
    values = [
        (e.endpoint, e.value, e.evidence.quote)
        for r in extract_rules(document)
        for e in r.endpoints
    ]
    assert ("ORR", truth) in [(e, v) for e, v, _ in values]
    for _endpoint, value, quote in values:
        assert value not in (99.0, 95.0, 30.0)
        assert not is_instruction(quote)


def test_the_llm_extractor_never_sees_or_cites_an_injected_sentence() -> None:
    document = _document("direct-1-report.txt")
    spans = numbered_sentences(document)
    injected = next(
        n
        for n, (s, e) in enumerate(spans, start=1)
        if document.text[s:e].startswith("Ignore previous")
    )
    forged = {
        "trials": [
            {
                "names": [{"sentence": injected, "quote": "DIRECT-1", "value": "x"}],
                "endpoints": [
                    {
                        "sentence": injected,
                        "quote": "99%",
                        "endpoint": "ORR",
                        "value": 99,
                        "unit": "%",
                    }
                ],
            }
        ]
    }
    reply = AIMessage(json.dumps(forged))
    fake = RecordingModel(messages=iter([reply, reply]))
    result = extract_document(document, fake)
    assert result.extractor == "rules"
    assert "addressed to the reader" in result.notes[0]
    assert all(e.value != 99.0 for r in result.records for e in r.endpoints)
    prompt = str(fake.prompts[0][1].content)
    assert "Ignore previous instructions" not in prompt
    assert f"[{injected}] (a sentence addressed to the reader was removed)" in prompt


def test_the_adversarial_corpus_is_synthetic_and_says_so() -> None:
    for path in Path(INJECTION).iterdir():
        assert "synthetic" in path.read_text(encoding="utf-8")
