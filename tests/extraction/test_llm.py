"""The LLM extractor with langchain_core fake chat models that record their prompts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult
from pydantic import Field

from sarcolit.core.models import Document
from sarcolit.extraction import extract_document
from sarcolit.extraction.llm import numbered_sentences
from tests.extraction.conftest import make_doc

TEXT = (
    "Methods: This phase II trial (NCT03798106) combined durvalumab with pazopanib.\n\n"
    "Results: The ORR was 30.4% and the median PFS was 7.7 months."
)


class RecordingModel(GenericFakeChatModel):
    """A fake chat model that keeps every prompt it was sent."""

    prompts: list[list[BaseMessage]] = Field(default_factory=list)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.prompts.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def model(*replies: str) -> RecordingModel:
    messages: Iterator[AIMessage] = iter([AIMessage(r) for r in replies])
    return RecordingModel(messages=messages)


def sentence_of(document: Document, words: str) -> int:
    for number, (start, end) in enumerate(numbered_sentences(document), 1):
        if words in document.text[start:end]:
            return number
    raise AssertionError(words)


def reply(
    document: Document, orr: float = 30.4, quote: str = "The ORR was 30.4%"
) -> str:
    results = sentence_of(document, "ORR was")
    methods = sentence_of(document, "durvalumab")
    trial = {
        "nct_ids": [
            {"sentence": methods, "quote": "NCT03798106", "value": "NCT03798106"}
        ],
        "phase": [{"sentence": methods, "quote": "phase II", "value": "II"}],
        "interventions": [
            {"sentence": methods, "quote": "durvalumab", "name": "durvalumab"},
            {"sentence": methods, "quote": "pazopanib", "name": "pazopanib"},
        ],
        "endpoints": [
            {
                "sentence": results,
                "quote": quote,
                "endpoint": "ORR",
                "value": orr,
                "unit": "%",
            },
            {
                "sentence": results,
                "quote": "the median PFS was 7.7 months",
                "endpoint": "median_PFS",
                "value": 7.7,
                "unit": "months",
            },
        ],
    }
    return "```json\n" + json.dumps({"trials": [trial]}) + "\n```"


def test_valid_json_gives_grounded_records_and_the_prompt_numbers_sentences() -> None:
    document = make_doc(TEXT)
    fake = model(reply(document))
    result = extract_document(document, fake)
    assert result.extractor == "llm"
    (record,) = result.records
    assert {e.endpoint: e.value for e in record.endpoints} == {
        "ORR": 30.4,
        "median_PFS": 7.7,
    }
    orr = record.endpoints[0]
    assert document.text[orr.evidence.start : orr.evidence.end] == "The ORR was 30.4%"
    (prompt,) = fake.prompts
    # The system prompt carries the JSON schema the reply must follow.
    assert '"quote"' in str(prompt[0].content)
    assert '"sentence"' in str(prompt[0].content)
    assert f"[{sentence_of(document, 'ORR was')}] Results: The ORR was 30.4%" in str(
        prompt[1].content
    )


def test_invalid_json_is_retried_once_with_the_error() -> None:
    document = make_doc(TEXT)
    fake = model("Sure! Here are the trials: {not json}", reply(document))
    result = extract_document(document, fake)
    assert result.extractor == "llm"
    assert len(fake.prompts) == 2
    retry = str(fake.prompts[1][-1].content)
    assert retry.startswith("That output was rejected:")
    assert "does not fit the schema" in retry


def test_schema_violating_output_falls_back_to_the_rules_with_the_reason() -> None:
    document = make_doc(TEXT)
    bad = json.dumps(
        {"trials": [{"endpoints": [{"endpoint": "response", "value": "high"}]}]}
    )
    fake = model(bad, bad)
    result = extract_document(document, fake)
    assert result.extractor == "rules"
    assert len(fake.prompts) == 2
    (note,) = result.notes
    assert note.startswith("LLM output rejected")
    assert "rule-based result used" in note
    (record,) = result.records
    assert record.extractor == "rules"
    assert note in record.notes
    assert {e.endpoint: e.value for e in record.endpoints} == {
        "ORR": 30.4,
        "median_PFS": 7.7,
    }


def test_invented_numbers_are_rejected_by_grounding() -> None:
    document = make_doc(TEXT)
    invented = reply(document, orr=45.0)  # the quote says 30.4%
    fake = model(invented, reply(document, orr=45.0, quote="The ORR was 45%"))
    result = extract_document(document, fake)
    assert result.extractor == "rules"
    assert "ORR 45 is not stated in its quote" in str(fake.prompts[1][-1].content)
    assert "is not in sentence" in result.notes[0]
    assert [e.value for e in result.records[0].endpoints if e.endpoint == "ORR"] == [
        30.4
    ]


def test_windows_follow_section_boundaries() -> None:
    from sarcolit.core.models import Section
    from sarcolit.extraction.llm import section_windows

    text = " ".join(f"Sentence {i} ends here." for i in range(1, 11))
    spans = [
        (m.start(), m.end()) for m in re.finditer(r"Sentence \d+ ends here\.", text)
    ]
    cut = spans[4][0]  # sections: sentences 1-4, then 5-10
    document = Document(
        id="d",
        source="d.txt",
        title="t",
        text=text,
        sections=(
            Section(path="Methods", start=0, end=cut),
            Section(path="Results", start=cut, end=len(text)),
        ),
    )

    assert section_windows(document, spans, limit=20) == [range(1, 11)]
    assert section_windows(document, spans, limit=6) == [range(1, 5), range(5, 11)]
    assert section_windows(document, spans, limit=3) == [
        range(1, 4),
        range(4, 5),
        range(5, 8),
        range(8, 11),
    ]
