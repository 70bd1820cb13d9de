"""Open the parts of a :class:`~sarcolit.Library`: settings, store, embedder, index.

``configure`` and ``embedder_spec`` are public (``sarcolit.library`` exports
them); :meth:`Library.open` and :meth:`Library.reindexed` delegate to the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sarcolit.core.embedding import DEFAULT_SPEC, MINILM_SPACE
from sarcolit.core.embedding import embedder as make_embedder
from sarcolit.core.settings import Settings, load_settings
from sarcolit.core.store import chroma_client
from sarcolit.core.vocabulary import load_vocabulary
from sarcolit.ingest import open_collections, reindex, stored_record
from sarcolit.retrieval import HybridIndex, open_index

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_core.embeddings import Embeddings

Parts = tuple[Settings, "ClientAPI", "Embeddings", HybridIndex]
"""What :class:`~sarcolit.Library` wraps: settings, client, embedder, index."""


def configure(
    settings: Settings | None = None,
    *,
    data_dir: Path | str | None = None,
    store_url: str | None = None,
    llm: str | None = None,
    embedder: str | None = None,
) -> Settings:
    """Return ``settings`` (default: environment and ``sarcolit.toml``) overridden.

    Args:
        settings: Base settings; None reads ``SARCOLIT_*`` and ``sarcolit.toml``.
        data_dir: The data directory (embedded store and BM25 index).
        store_url: A Chroma server, e.g. ``http://127.0.0.1:8000``.
        llm: A chat-model spec (``none``, ``local:``, ``openai:MODEL`` ...).
        embedder: An embedder spec (``st:``, ``onnx:``, ``onnx-int8:``,
            ``openai:MODEL``).
    """
    settings = settings or load_settings()
    store = settings.store
    if store_url is not None:
        store = store.model_copy(update={"url": store_url})
    if data_dir is not None:
        store = store.model_copy(update={"path": Path(data_dir)})
    llm_settings = settings.llm
    if llm is not None:
        llm_settings = llm_settings.model_copy(update={"spec": llm})
    embedder_settings = settings.embedder
    if embedder is not None:
        embedder_settings = embedder_settings.model_copy(update={"spec": embedder})
    return settings.model_copy(
        update={"store": store, "llm": llm_settings, "embedder": embedder_settings}
    )


def embedder_spec(settings: Settings, client: ClientAPI) -> str:
    """Return the embedder to open a store with.

    The one the settings name; else the one that built the store (``onnx:`` for
    a store of MiniLM vectors, which it computes as ``st:`` does, without
    torch); else, for a new store, :data:`~sarcolit.core.embedding.DEFAULT_SPEC`.
    """
    if settings.embedder.spec:
        return settings.embedder.spec
    record = stored_record(open_collections(client, settings.store))
    if record is None:
        return DEFAULT_SPEC
    return "onnx:" if record.space == MINILM_SPACE else record.spec


def opened(settings: Settings, status: Callable[[str], None]) -> Parts:
    """Connect to the store, load its embedder and open the hybrid index."""
    client = chroma_client(settings.store)
    settings = configure(settings, embedder=embedder_spec(settings, client))
    status("Loading the embedding model")
    model = make_embedder(settings.embedder.spec, settings)
    vocabulary = load_vocabulary(settings.vocabulary)
    status("Opening the index")
    index = open_index(client, settings, model, vocabulary)
    return settings, client, model, index


def reindexed(
    settings: Settings, on_progress: Callable[[int, int], None] | None
) -> Parts:
    """Re-embed the store's chunks with the settings' embedder; open the index."""
    client = chroma_client(settings.store)
    model = make_embedder(settings.embedder.spec, settings)
    reindex(client, open_collections(client, settings.store), model, on_progress)
    vocabulary = load_vocabulary(settings.vocabulary)
    index = open_index(client, settings, model, vocabulary)
    return settings, client, model, index
