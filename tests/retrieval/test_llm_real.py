"""The real backends: Gemma 3 270M in process, and behind llama.cpp's OpenAI server.

The 270M base model does not always write a clean cited sentence; what these tests
hold to is what the design guarantees: whatever it writes, the answer shown is
verified and cites the 18% from SARC028's passage.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from langchain_core.language_models import BaseChatModel

from sarcolit.core.errors import BackendUnavailable
from sarcolit.core.llm import LocalChatModel, chat_model, default_gguf
from sarcolit.core.models import Answer, Document
from sarcolit.core.settings import LLMSettings, Settings
from sarcolit.extraction.llm import build_messages, numbered_sentences, parse_reply
from sarcolit.extraction.llm_schema import DraftOutput
from sarcolit.retrieval import HybridIndex, answer_with_llm

pytestmark = [pytest.mark.llm, pytest.mark.slow]

QUESTION = "What was the objective response rate in SARC028?"
KEY = "sarcolit-test-key"


@pytest.fixture(scope="module")
def local_model() -> LocalChatModel:
    model = chat_model("local", Settings(llm=LLMSettings(max_tokens=80)))
    assert isinstance(model, LocalChatModel)
    return model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, server: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(
        f"{url}/models", headers={"Authorization": f"Bearer {KEY}"}
    )
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"llama_cpp.server did not answer at {url}")


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server with Gemma, on loopback."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(default_gguf()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--chat_format",
        "gemma",
        "--api_key",
        KEY,
    ]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(url, server, 60)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def assert_cites_18_percent(answer: Answer) -> None:
    assert not answer.refused, answer
    by_id = {c.id: c for c in answer.citations}
    with_18 = [s for s in answer.sentences if "18%" in s.text]
    assert with_18, answer.answer
    for sentence in with_18:
        assert any("18%" in by_id[n].quote for n in sentence.citations)
    assert "99%" not in answer.answer


def test_local_model_answers_with_a_verified_citation(
    review_index: HybridIndex, local_model: BaseChatModel
) -> None:
    tokens: list[str] = []
    answer = answer_with_llm(
        QUESTION, review_index, Settings(), local_model, on_token=tokens.append
    )
    assert tokens, "the model streamed nothing"
    assert_cites_18_percent(answer)


def test_openai_backend_against_the_local_llama_server(
    review_index: HybridIndex, llama_server: str
) -> None:
    settings = Settings(
        llm=LLMSettings(base_url=llama_server, api_key=KEY, max_tokens=80)
    )
    model = chat_model("openai:gemma", settings)
    assert model is not None
    assert_cites_18_percent(answer_with_llm(QUESTION, review_index, settings, model))


def test_openai_backend_with_a_wrong_key_names_the_server(llama_server: str) -> None:
    settings = LLMSettings(base_url=llama_server, api_key="wrong")
    with pytest.raises(BackendUnavailable, match=f"{llama_server}.*rejected"):
        chat_model("openai:gemma", settings)


TRIAL = Document(
    id="trial-note",
    source="trial-note.txt",
    title="Pembrolizumab in soft tissue sarcoma",
    text="SARC028 was a phase II trial of pembrolizumab. "
    "Among 84 patients with soft tissue sarcoma, the ORR was 18%.",
)


def test_local_structured_output_is_schema_valid_json(
    local_model: LocalChatModel,
) -> None:
    spans = numbered_sentences(TRIAL)
    structured = local_model.with_structured_output(
        DraftOutput, method="json_schema", include_raw=True
    )
    result = structured.invoke(build_messages(TRIAL, spans, 1))
    assert isinstance(result, dict)
    raw = str(result["raw"].content)
    draft = parse_reply(raw)  # Raises unless the JSON fits the schema.
    assert isinstance(draft, DraftOutput)
    assert result["parsed"] == draft
