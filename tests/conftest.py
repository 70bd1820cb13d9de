"""Shared fixtures: real Chroma stores in temp folders and the bundled MiniLM."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

from sarcolit.core.embedding import embedder as make_embedder
from sarcolit.core.settings import Settings, StoreSettings
from sarcolit.core.store import chroma_client
from sarcolit.ingest import Collections, ingest_paths, open_collections
from sarcolit.retrieval import HybridIndex, open_index

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

_MODELS = "SARCOLIT_EMBEDDER__MODEL_DIR"
_OWN_MODELS = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Give onnx: one model folder per test run, shared by every test.

    The bundled MiniLM is exported there once; CLI subprocesses inherit the
    variable and reuse it.
    """
    if _MODELS not in os.environ:
        os.environ[_MODELS] = tempfile.mkdtemp(prefix="sarcolit-test-models-")
        config.stash[_OWN_MODELS] = os.environ[_MODELS]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the model folder this run made."""
    folder = config.stash.get(_OWN_MODELS, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REVIEW = CORPUS / "reviews" / "sarcoma-immunotherapy-review.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def embedder() -> Embeddings:
    """The default embedder (SARCOLIT_EMBEDDER__SPEC, else the built-in default)."""
    return make_embedder(settings=Settings())


def make_settings(data_dir: Path, url: str | None = None) -> Settings:
    return Settings(store=StoreSettings(path=data_dir, url=url))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def cols(settings: Settings) -> Collections:
    return open_collections(chroma_client(settings.store), settings.store)


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("corpus-store"))


@pytest.fixture(scope="session")
def corpus_index(corpus_settings: Settings, embedder: Embeddings) -> HybridIndex:
    """The whole corpus/ folder, ingested once per test session."""
    client = chroma_client(corpus_settings.store)
    cols = open_collections(client, corpus_settings.store)
    report = ingest_paths([CORPUS], cols, embedder, corpus_settings.ingest)
    assert not report.failed, report.failed
    return open_index(client, corpus_settings, embedder)


@pytest.fixture(scope="session")
def review_index(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embeddings
) -> HybridIndex:
    """Only the seed review, ingested once per test session."""
    settings = make_settings(tmp_path_factory.mktemp("review-store"))
    client = chroma_client(settings.store)
    cols = open_collections(client, settings.store)
    report = ingest_paths([REVIEW], cols, embedder, settings.ingest)
    assert not report.failed, report.failed
    return open_index(client, settings, embedder)
