"""The embedder factory: one spec string to a langchain ``Embeddings``.

``st:`` runs the bundled all-MiniLM-L6-v2 with sentence-transformers on torch;
``onnx:`` runs the same weights on ONNX Runtime (exported once into the data
directory) and ``onnx-int8:`` their int8 quantisation; ``openai:MODEL`` asks any
OpenAI-compatible embeddings server (vLLM, Text Embeddings Inference, Infinity,
llama.cpp's server) at ``settings.embedder.base_url``. Each integration is
imported only when it is asked for.

Every embedder built here names its *vector space*: ``st:`` and ``onnx:`` share
one (the same weights in fp32 give vectors within cosine 0.99999 of each other),
``onnx-int8:`` and each server model have their own. A store records the space
it was built in, and refuses vectors from another.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sarcolit.core.errors import ConfigError
from sarcolit.core.settings import EmbedderSettings, Settings

if TYPE_CHECKING:  # langchain is imported with the first embedder, not before
    from langchain_core.embeddings import Embeddings

MODEL_NAME = "all-MiniLM-L6-v2"
MINILM_SPACE = MODEL_NAME
SPECS = ("st:", "onnx:", "onnx-int8:", "openai:MODEL")
DEFAULT_SPEC = "onnx:"
"""Chosen by ``sarcolit bench``: the fastest local embedder whose recall@8 on the
QA gold set is within 0.01 of torch's, dense and hybrid (README, "Embedders")."""
Vectors = npt.NDArray[np.float32]


def _model_dir(settings: Settings) -> Path:
    return settings.embedder.model_dir or settings.store.path / "models"


@lru_cache(maxsize=8)
def _build(
    provider: str,
    name: str,
    embedder_settings: EmbedderSettings,
    model_dir: Path,
    batch: int,
) -> Embeddings:
    match provider:
        case "st":
            from sarcolit.core.embedders import SentenceTransformerEmbeddings

            return SentenceTransformerEmbeddings(batch)
        case "onnx" | "onnx-int8":
            missing = [m for m in ("onnxruntime", "tokenizers") if not find_spec(m)]
            if missing:
                raise ConfigError(
                    f"{provider}: needs {' and '.join(missing)}: pip install "
                    f"{' '.join(missing)}, or use --embedder st:"
                )
            from sarcolit.core.onnx_model import OnnxEmbeddings, exported_model

            quantized = provider == "onnx-int8"
            return OnnxEmbeddings(
                exported_model(model_dir, quantized=quantized),
                name=f"{provider}:",
                space=f"{MINILM_SPACE} int8" if quantized else MINILM_SPACE,
                batch_size=batch,
                threads=embedder_settings.threads,
            )
        case _:
            from sarcolit.core.embedders import openai_embedder

            return openai_embedder(name, embedder_settings)


def embedder(spec: str | None = None, settings: Settings | None = None) -> Embeddings:
    """Return the embedder ``spec`` names, loaded once per process.

    Args:
        spec: ``st:``, ``onnx:``, ``onnx-int8:`` or ``openai:MODEL``
            (default: ``settings.embedder.spec``, else :data:`DEFAULT_SPEC`).
        settings: Server URL, key, model folder and batch size; defaults when None.

    Raises:
        ConfigError: an unknown spec, a missing package or model.
        BackendUnavailable: the embeddings server is down or rejects the key.
    """
    settings = settings or Settings()
    spec = spec or settings.embedder.spec or DEFAULT_SPEC
    provider, _, name = spec.strip().partition(":")
    provider, name = provider.lower(), name.strip()
    if provider in ("st", "onnx", "onnx-int8"):
        if name not in ("", MODEL_NAME):
            raise ConfigError(
                f"{provider}: runs the bundled {MODEL_NAME}; write {provider}: "
                f"without {name!r}, or serve that model and use openai:{name}"
            )
    elif provider == "openai":
        if not name:
            raise ConfigError("openai: needs a model name, e.g. openai:bge-small-en")
    else:
        raise ConfigError(
            f"unknown embedder {spec!r}: use {', '.join(SPECS)} "
            "(--embedder or SARCOLIT_EMBEDDER__SPEC)"
        )
    return _build(
        provider,
        name,
        settings.embedder,
        _model_dir(settings).resolve(),
        settings.ingest.batch_size,
    )


def embedder_name(model: Embeddings) -> str:
    """Return the spec that built ``model`` (a class name for foreign embedders)."""
    name = getattr(model, "name", None)
    return name if isinstance(name, str) else type(model).__name__


def vector_space(model: Embeddings) -> str:
    """Return the vector space of ``model``'s vectors (see the module doc)."""
    space = getattr(model, "space", None)
    if isinstance(space, str):
        return space
    kind = type(model)
    detail = getattr(model, "model", None) or getattr(model, "model_name", None)
    return f"{kind.__module__}.{kind.__qualname__}:{detail or ''}"


def embed_texts(model: Embeddings, texts: Sequence[str]) -> Vectors:
    """Return L2-normalised float32 vectors, one row per text.

    Vectors are normalised here whatever the backend returns (some servers
    return raw mean-pooled vectors), so cosine distance and dot product agree.
    """
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    fast = getattr(model, "embed_array", None)
    raw = fast(texts) if callable(fast) else model.embed_documents(list(texts))
    vectors: Vectors = np.asarray(raw, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: Vectors = vectors / np.clip(norms, 1e-12, None)
    return normalised
