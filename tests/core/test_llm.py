"""The chat-model factory: spec parsing, clear errors, the local structured output."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from sarcolit.core.errors import BackendUnavailable, ConfigError
from sarcolit.core.llm import (
    LocalChatModel,
    backend_errors,
    backend_url,
    chat_model,
    is_transient,
    render_prompt,
)
from sarcolit.core.settings import LLMSettings, Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_none_means_no_model() -> None:
    assert chat_model("none") is None
    assert chat_model("") is None


def test_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown LLM backend 'gpt4'"):
        chat_model("gpt4")


@pytest.mark.parametrize("spec", ["openai:", "ollama:"])
def test_a_server_backend_needs_a_model_name(spec: str) -> None:
    with pytest.raises(ConfigError, match="needs a model name"):
        chat_model(spec)


def test_missing_model_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "absent.gguf"
    with pytest.raises(ConfigError, match=str(missing)):
        chat_model(f"local:{missing}")


def test_local_model_takes_settings_and_loads_lazily(tmp_path: Path) -> None:
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"not loaded until first use")
    settings = Settings(llm=LLMSettings(n_ctx=2048, max_tokens=64, timeout_s=5))
    model = chat_model(f"local:{gguf}", settings)
    assert isinstance(model, LocalChatModel)
    assert (model.model_path, model.n_ctx, model.max_tokens) == (str(gguf), 2048, 64)
    assert backend_url(model) == str(gguf)


@pytest.mark.parametrize("provider", ["openai", "ollama"])
def test_server_down_names_the_url(provider: str) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = LLMSettings(base_url=url, api_key="k")
    with pytest.raises(BackendUnavailable, match=f"cannot reach .*{url}"):
        chat_model(f"{provider}:some-model", settings)


def test_real_openai_without_a_key_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="SARCOLIT_LLM__API_KEY"):
        chat_model("openai:gpt-4o-mini")


def test_prompt_joins_message_contents() -> None:
    prompt = render_prompt([SystemMessage("Rules."), HumanMessage("Question?")])
    assert prompt == "Rules.\n\nQuestion?\n"


class FailingModel(GenericFakeChatModel):
    base_url: str = "http://127.0.0.1:9/v1"


def test_network_errors_become_backend_unavailable_naming_the_url() -> None:
    model = FailingModel(messages=iter([AIMessage("x")]))
    with (
        pytest.raises(BackendUnavailable, match=r"127\.0\.0\.1:9"),
        backend_errors(model),
    ):
        raise ConnectionError("connection refused")


def test_other_errors_pass_through() -> None:
    model = FailingModel(messages=iter([AIMessage("x")]))
    with pytest.raises(KeyError), backend_errors(model):
        raise KeyError("bug")


def test_only_network_errors_are_transient() -> None:
    assert is_transient(ConnectionRefusedError())
    assert is_transient(TimeoutError())
    assert not is_transient(ValueError())
