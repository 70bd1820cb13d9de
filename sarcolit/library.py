"""``Library``: the one object that wires settings, store, embedder, index and model.

The command line, the web app and the HTTP API are thin adapters over it, and so
is Python use::

    from sarcolit import Library

    library = Library.open("my-data")
    library.ingest(["papers/"])
    answer = library.ask("What was the ORR of pembrolizumab in UPS in SARC028?")

Rules that decide results (which answerer, which model, what fallback) live here
once, never in an adapter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sarcolit import _answers, _evaluate, _open, _records
from sarcolit._answers import BUNDLED_NOTE as BUNDLED_NOTE
from sarcolit._answers import Answerer as Answerer
from sarcolit._evaluate import EvalProgress as EvalProgress
from sarcolit._open import configure as configure
from sarcolit._open import embedder_spec as embedder_spec
from sarcolit.core.models import Answer, Document, SearchHit, TrialRecord
from sarcolit.core.settings import Settings
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest import DocInfo, FileOutcome, IngestReport, ingest_paths
from sarcolit.live import LiveIndex
from sarcolit.record_store import RecordStore
from sarcolit.retrieval import AnswerEvent, Done, Filters, HybridIndex

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel


class Library:
    """An open literature store: ingest, search, ask, extract and evaluate.

    One instance per process is enough; its methods are safe to call from
    several threads (the web app does).
    """

    def __init__(
        self,
        settings: Settings,
        client: ClientAPI,
        embedder: Embeddings,
        index: HybridIndex,
    ) -> None:
        """Wrap parts already opened; most callers want :meth:`Library.open`."""
        self.settings = settings
        self.embedder = embedder
        self._live = LiveIndex(settings, client, embedder, index)
        self._vocabulary = index.vocabulary
        self._lock = threading.RLock()
        # A local model must not run two generations at once; reads and ingests
        # do not take this lock, so a long answer blocks neither.
        self._model_lock = threading.Lock()
        self._models: dict[str, BaseChatModel | None] = {}
        self._records = RecordStore(settings.store.path / "records")
        self._records_lock = threading.Lock()

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        *,
        store_url: str | None = None,
        llm: str | None = None,
        embedder: str | None = None,
        settings: Settings | None = None,
        on_status: Callable[[str], None] | None = None,
    ) -> Library:
        """Connect to the store, load the embedder and open the hybrid index.

        Args:
            data_dir: Data directory (default ``.sarcolit`` or the settings').
            store_url: A Chroma server to use instead of the embedded store.
            llm: Chat-model spec for answers (default: ``SARCOLIT_LLM__SPEC``).
            embedder: Embedder spec (default: ``SARCOLIT_EMBEDDER__SPEC``, else
                the store's own, see :func:`embedder_spec`).
            settings: Base settings (default: environment and ``sarcolit.toml``).
            on_status: Called with a short message before each slow step.

        Raises:
            ConfigError: a setting is malformed, or the store was built by
                another embedder.
            BackendUnavailable: the Chroma or embeddings server does not answer.
        """
        settings = configure(
            settings, data_dir=data_dir, store_url=store_url, llm=llm, embedder=embedder
        )
        return cls(*_open.opened(settings, on_status or (lambda _message: None)))

    @classmethod
    def reindexed(
        cls,
        embedder: str,
        data_dir: Path | str | None = None,
        *,
        store_url: str | None = None,
        settings: Settings | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Library:
        """Re-embed a store's chunks with ``embedder`` and open it with that embedder.

        The files are not read again: the stored chunk texts are embedded anew.
        Until the new vectors are complete the store stays as it was.

        Args:
            embedder: The new embedder spec (``st:``, ``onnx:``, ``onnx-int8:``,
                ``openai:MODEL``).
            data_dir: Data directory (default ``.sarcolit`` or the settings').
            store_url: A Chroma server to use instead of the embedded store.
            settings: Base settings (default: environment and ``sarcolit.toml``).
            on_progress: Called with (chunks done, total) as batches finish.

        Raises:
            ConfigError: the spec or its package is wrong.
            BackendUnavailable: a server failed; the store is unchanged.
        """
        settings = configure(
            settings, data_dir=data_dir, store_url=store_url, embedder=embedder
        )
        return cls(*_open.reindexed(settings, on_progress))

    @property
    def client(self) -> ClientAPI:
        """The Chroma client (replaced when another process changed the store)."""
        return self._live.client

    @property
    def index(self) -> HybridIndex:
        """The hybrid index (Chroma and BM25), up to date with the store.

        Another process's ingest is picked up here: on its change token at once,
        or on the store's fingerprint within ``store.refresh_s`` seconds.
        """
        return self._live.current()

    @property
    def vocabulary(self) -> Vocabulary:
        """The vocabulary every stage reads (bundled, plus ``settings.vocabulary``)."""
        return self._vocabulary

    # -- models -------------------------------------------------------------

    def chat_model(self) -> BaseChatModel | None:
        """Return the configured chat model (loaded once), or None for ``none``.

        Raises:
            ConfigError: the spec or its package is wrong.
            BackendUnavailable: the model server does not answer.
        """
        spec = self.settings.llm.spec
        if spec.strip().partition(":")[0].lower() in ("none", ""):
            return self._models.get(spec)  # none, unless use_model() set one
        with self._lock:
            if spec not in self._models:
                # Imported here: langchain's model stack takes a third of a second.
                from sarcolit.core.llm import chat_model

                self._models[spec] = chat_model(spec, self.settings)
            return self._models[spec]

    def use_model(self, model: BaseChatModel | None) -> None:
        """Answer and extract with ``model`` (built by the caller) from now on."""
        with self._lock:
            self._models[self.settings.llm.spec] = model

    def web_answerer(self) -> tuple[Answerer, str]:
        """Return the answerer the web app offers, and a note when it is not the LLM.

        The bundled Gemma 3 270M model rarely writes a sentence that passes
        verification, so the web app does not offer it: with ``local:`` (no
        file) it answers extractively and says so. ``openai:`` and ``ollama:``
        models, or a larger local file, are offered as configured.
        """
        return _answers.web_answerer(self.settings.llm.spec)

    # -- documents ----------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[Path | str],
        on_file: Callable[[FileOutcome], None] | None = None,
        *,
        follow_links: bool | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> IngestReport:
        """Read, chunk, embed and store files and folders; bring the index up to date.

        A file that cannot be read is reported in the result and the others go
        on. Searches and answers go on during the ingest, on the index as it
        was; the new index is swapped in when the ingest ends. Ingests into one
        data directory take turns, across processes.

        Args:
            paths: Files and folders.
            on_file: Called with each file's outcome.
            follow_links: Read links in a folder that point outside it
                (default: ``ingest.follow_links``).
            on_wait: Told once when another process is writing and this waits.

        Raises:
            BackendUnavailable: the store failed; files already stored stay stored.
        """
        files = [Path(p) for p in paths]
        settings = self.settings.ingest
        if follow_links is not None:
            settings = settings.model_copy(update={"follow_links": follow_links})
        with self._live.writing(on_wait) as index:
            report = ingest_paths(
                files, index.cols, self.embedder, settings, on_file, self.vocabulary
            )
        self._synced_records()  # extract the new documents' trial records
        return report

    def documents(self) -> list[DocInfo]:
        """Return the catalogue of ingested documents, by title.

        Raises:
            BackendUnavailable: the store failed.
        """
        docs = self.index.documents()
        return sorted(docs, key=lambda d: d.title.casefold())

    def get_documents(self, ids: Sequence[str] | None = None) -> list[Document]:
        """Return ingested documents with their normalised text (all when None).

        Raises:
            BackendUnavailable: the store failed.
        """
        return self.index.get_documents(None if ids is None else list(ids))

    # -- search and answers -------------------------------------------------

    def filters(
        self,
        *,
        subtypes: Sequence[str] = (),
        agents: Sequence[str] = (),
        nct_ids: Sequence[str] = (),
        trials: Sequence[str] = (),
        doc_ids: Sequence[str] = (),
    ) -> Filters:
        """Return search filters from names as users write them.

        Names are resolved through the vocabulary ('synovial sarcoma' -> 'SS',
        'Keytruda' -> 'pembrolizumab'); a subtype admits its narrower subtypes.

        Raises:
            ConfigError: a subtype or agent is not in the vocabulary.
        """
        return Filters.parse(
            subtypes=subtypes,
            agents=agents,
            nct_ids=nct_ids,
            trials=trials,
            doc_ids=doc_ids,
            vocabulary=self.vocabulary,
        )

    def search(
        self, query: str, k: int | None = None, filters: Filters | None = None
    ) -> list[SearchHit]:
        """Return the ``k`` passages hybrid search (MiniLM + BM25) ranks highest.

        Raises:
            BackendUnavailable: the Chroma server stopped answering.
        """
        return self.index.search(query, k, filters)

    def ask_events(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        answerer: Answerer = "auto",
        history: Sequence[str] = (),
    ) -> Iterator[AnswerEvent]:
        """Answer ``question``, yielding LLM events as they come, then ``Done``.

        With no model (or ``answerer="extractive"``) the only event is ``Done``
        with the extractive answer. With a model, verified sentences stream as
        :class:`~sarcolit.retrieval.Checked` events; a model that cannot be
        loaded or reached gives the extractive answer with a note.

        Args:
            question: The question, as asked.
            k: Passages the answer reads (default: ``retrieval.answer_pool``).
            filters: Restrict the passages retrieved.
            answerer: ``auto``, ``extractive`` or ``llm`` (an error without a model).
            history: Earlier questions of the conversation, oldest first; a
                follow-up ("and its toxicity?") is read in their light.
        """
        return _answers.ask_events(
            self,
            question,
            k=k,
            filters=filters,
            answerer=answerer,
            history=history,
            model_lock=self._model_lock,
            records=self._synced_records,
        )

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        answerer: Answerer = "auto",
        history: Sequence[str] = (),
    ) -> Answer:
        """Answer with cited sentences from the literature, or refuse and say why.

        See :meth:`ask_events` for the arguments; this returns the final answer.
        """
        events = self.ask_events(
            question, k=k, filters=filters, answerer=answerer, history=history
        )
        for event in events:
            if isinstance(event, Done):
                return event.answer
        raise AssertionError("ask_events ended without an answer")  # unreachable

    # -- trial records ------------------------------------------------------

    # Bound from sarcolit/_records.py: it needs only the public methods.
    extract = _records.extract

    def _synced_records(self) -> list[TrialRecord]:
        """Return the stored records of every document, extracting new ones first."""
        return _records.synced(
            self._records, self._records_lock, self.index, self.vocabulary
        )

    def records(self, doc_ids: Sequence[str] | None = None) -> list[TrialRecord]:
        """Return the merged trial records of ingested documents (rule extractor).

        Records are extracted when a document is ingested and kept with the
        store, so this reads them; documents another process added are
        extracted first.
        """
        return _records.merged(self._synced_records(), doc_ids, self.vocabulary)

    # -- evals --------------------------------------------------------------

    # Bound from sarcolit/_evaluate.py: they need only the public methods.
    evaluate_qa = _evaluate.evaluate_qa
    evaluate_synthesis = _evaluate.evaluate_synthesis
    evaluate_extraction = _evaluate.evaluate_extraction
