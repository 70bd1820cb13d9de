"""The embedder seam: spec parsing, and st:, onnx:, onnx-int8: on the real MiniLM."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from sarcolit.core.embedding import (
    MINILM_SPACE,
    Vectors,
    embed_texts,
    embedder,
    embedder_name,
    vector_space,
)
from sarcolit.core.errors import ConfigError
from sarcolit.core.onnx_model import exported_model
from sarcolit.core.settings import EmbedderSettings, Settings
from sarcolit.ingest.chunking import chunk_document
from sarcolit.ingest.readers import read_document
from tests.conftest import CORPUS, REVIEW, ROOT


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Chunks of the corpus, from a few words to past MiniLM's 256 tokens."""
    review = read_document(REVIEW, max_bytes=10_000_000)
    chunks = [c.text for c in chunk_document(review, 200)]
    trial = next(iter(sorted((CORPUS / "trials").glob("*.txt"))))
    long = " ".join(chunks[:6])  # well past 256 tokens: truncated by every path
    return [
        "What was the ORR in SARC028?",
        "PD-L1",
        long,
        *chunks[:40],
        read_document(trial, max_bytes=10_000_000).text[:600],
    ]


@pytest.fixture(scope="module")
def torch_vectors(texts: list[str]) -> Vectors:
    return embed_texts(embedder("st:"), texts)


def _cosines(a: Vectors, b: Vectors) -> Vectors:
    result: Vectors = (a * b).sum(axis=1)
    return result


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("bert:", "unknown embedder 'bert:'"),
        ("st:other-model", "runs the bundled all-MiniLM-L6-v2"),
        ("onnx:e5-small", "serve that model and use openai:e5-small"),
        ("openai:", "needs a model name"),
    ],
)
def test_bad_specs_are_one_line_config_errors(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        embedder(spec)
    assert "\n" not in str(caught.value)


def test_settings_name_the_default_and_the_spec_wins() -> None:
    settings = Settings(embedder=EmbedderSettings(spec="st:"))
    assert embedder_name(embedder(settings=settings)) == "st:"
    assert embedder_name(embedder("onnx:", settings)) == "onnx:"


def test_st_vectors_are_normalised_and_semantic(torch_vectors: Vectors) -> None:
    assert torch_vectors.shape[1] == 384
    np.testing.assert_allclose(np.linalg.norm(torch_vectors, axis=1), 1.0, atol=1e-5)
    question, short, *_ = torch_vectors
    assert float((torch_vectors[3:] @ question).max()) > float(question @ short)


def test_onnx_matches_sentence_transformers(
    texts: list[str], torch_vectors: Vectors
) -> None:
    onnx = embedder("onnx:")
    vectors = embed_texts(onnx, texts)
    # Same weights, tokenizer, truncation, pooling and normalisation: one space.
    assert _cosines(vectors, torch_vectors).min() > 0.9999
    assert vector_space(onnx) == vector_space(embedder("st:")) == MINILM_SPACE
    single = np.asarray(onnx.embed_query(texts[0]), dtype=np.float32)
    assert float(single @ vectors[0]) > 0.99999  # batching and padding change nothing


def test_int8_is_close_to_torch_but_its_own_space(
    texts: list[str], torch_vectors: Vectors
) -> None:
    int8 = embedder("onnx-int8:")
    vectors = embed_texts(int8, texts)
    cosines = _cosines(vectors, torch_vectors)
    assert cosines.min() > 0.95
    assert cosines.max() < 0.99999  # it is quantised, not the fp32 model again
    assert vector_space(int8) != MINILM_SPACE


def test_export_is_checked_and_redone_when_tampered(tmp_path: Path) -> None:
    shared = Settings().embedder.model_dir
    assert shared is not None
    embedder("onnx-int8:")  # make sure the shared folder holds both files
    folder = tmp_path / "all-MiniLM-L6-v2-onnx"
    shutil.copytree(shared / folder.name, folder)
    sums = json.loads((folder / "checksums.json").read_text())
    assert {"model.onnx", "model-int8.onnx", "source"} <= set(sums)

    good = (folder / "model-int8.onnx").read_bytes()
    (folder / "model-int8.onnx").write_bytes(good[:-100])  # a truncated copy
    again = exported_model(tmp_path, quantized=True)

    assert len(again) == len(good)
    assert json.loads((folder / "checksums.json").read_text()) == sums


def test_onnx_queries_without_importing_torch(tmp_path: Path) -> None:
    settings = Settings()
    embedder("onnx:", settings)  # exported already: the subprocess only loads it
    code = (
        "import sys\n"
        "from sarcolit.core.embedding import embedder\n"
        "vector = embedder('onnx:').embed_query('ORR in SARC028')\n"
        "assert len(vector) == 384\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers')"
        " if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


class _Constant(Embeddings):
    """A foreign langchain embedder: sarcolit accepts any ``Embeddings``."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[3.0, 4.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [3.0, 4.0]


def test_foreign_embedders_are_normalised_and_named() -> None:
    model = _Constant()
    vectors = embed_texts(model, ["a", "b"])
    np.testing.assert_allclose(vectors, [[0.6, 0.8], [0.6, 0.8]])
    assert embedder_name(model) == "_Constant"
    assert vector_space(model).endswith("_Constant:")
