"""The chat handler: extractive answers, streamed LLM answers, and the fallback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field

from sarcolit.core.models import Answer
from sarcolit.core.settings import LLMSettings
from sarcolit.library import Library
from sarcolit.retrieval import Filters
from sarcolit.ui.app_chat import answer_events, respond
from sarcolit.ui.app_state import AppState
from tests.ui.conftest import LiveServer

pytestmark = pytest.mark.slow
QUESTION = "What was the objective response rate in SARC028?"


UNVERIFIED = "The median PFS was 8.6 months"


class CitingModel(GenericFakeChatModel):
    """Streams a sentence citing the passage that states SARC028's ORR.

    With ``unverified``, a second sentence follows that cites the same passage
    but states a number the passage does not hold: verification drops it.
    """

    prompts: list[str] = Field(default_factory=list)
    unverified: str = ""

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        prompt = "\n".join(str(m.content) for m in messages)
        self.prompts.append(prompt)
        task = prompt.rsplit("Passages:\n", 1)[1]
        number = next(
            line.split("]")[0].lstrip("[")
            for line in task.splitlines()
            if "ORR of 18%" in line
        )
        reply = f"In SARC028 the ORR was 18% [{number}]."
        if self.unverified:
            reply += f" {self.unverified} [{number}]."
        self.messages = iter([AIMessage(reply)])
        yield from super()._stream(messages, stop, run_manager, **kwargs)


def state_with_llm(server: LiveServer, spec: str, tmp_path: Path) -> AppState:
    base = server.state.library
    settings = base.settings.model_copy(update={"llm": LLMSettings(spec=spec)})
    library = Library(settings, base.client, base.embedder, base.index)
    return AppState(library, tmp_path)


def test_extractive_answer_comes_in_one_event(live_server: LiveServer) -> None:
    events = list(answer_events(live_server.state, QUESTION, Filters()))
    assert len(events) == 1
    assert isinstance(events[0], Answer)
    assert "18%" in events[0].answer


def test_llm_stream_shows_only_verified_sentences(
    live_server: LiveServer, tmp_path: Path
) -> None:
    state = state_with_llm(live_server, "openai:fake", tmp_path)
    model = CitingModel(messages=iter([]), unverified=UNVERIFIED)
    state.library.use_model(model)
    events = list(answer_events(state, QUESTION, Filters()))
    shown = [e for e in events if isinstance(e, str)]
    final = events[-1]
    assert shown
    assert shown[0].startswith("In SARC028 the ORR was 18%")
    assert not any("8.6" in text for text in shown)
    assert isinstance(final, Answer)
    assert final.answerer == "llm"
    assert "18%" in final.answer
    assert "8.6" not in final.answer
    assert any("8.6" in d.text for d in final.dropped)
    assert QUESTION in model.prompts[0]


def test_unloadable_llm_falls_back_to_the_extractive_answer_with_a_note(
    live_server: LiveServer, tmp_path: Path
) -> None:
    state = state_with_llm(live_server, "nosuch:model", tmp_path)
    events = list(answer_events(state, QUESTION, Filters()))
    assert len(events) == 1
    final = events[0]
    assert isinstance(final, Answer)
    assert final.answerer == "extractive"
    assert any("LLM unavailable" in note for note in final.notes)


def test_respond_shows_the_question_first_then_answer_and_sources(
    live_server: LiveServer,
) -> None:
    updates = list(respond(live_server.state, QUESTION, [], Filters()))
    first_box, first_chat, _, _, _ = updates[0]
    assert first_box == ""
    assert first_chat[-1]["role"] == "assistant"
    assert "Searching" in first_chat[-1]["content"]
    _, chat, answers, panel, _ = updates[-1]
    assert len(answers) == 1
    assert 'href="#src-1-1"' in chat[-1]["content"]
    assert 'id="src-1-1"' in panel
    assert list(respond(live_server.state, "   ", [], Filters())) == []
