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
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sarcolit.core.embedding import DEFAULT_SPEC, MINILM_SPACE
from sarcolit.core.embedding import embedder as make_embedder
from sarcolit.core.errors import BackendUnavailable, ConfigError
from sarcolit.core.models import Answer, Document, SearchHit, TrialRecord
from sarcolit.core.settings import Settings, load_settings
from sarcolit.core.store import chroma_client
from sarcolit.core.vocabulary import Vocabulary, load_vocabulary
from sarcolit.ingest import (
    DocInfo,
    FileOutcome,
    IngestReport,
    ingest_paths,
    open_collections,
    reindex,
    stored_record,
)
from sarcolit.live import LiveIndex
from sarcolit.record_store import RecordStore, extractor_version
from sarcolit.retrieval import (
    AnswerEvent,
    Done,
    Draft,
    Filters,
    HybridIndex,
    answer_planned,
    answer_question,
    needs_planning,
    open_index,
    plan,
    stream_llm_answer,
)

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    # Imported where used: `sarcolit ask` and `search` need neither.
    from sarcolit.evals import ExtractionRun, QARun, SynthesisRun
    from sarcolit.extraction import BatchReport, CsvFormat, Progress

BUNDLED_NOTE = (
    "The bundled 270M model is not offered in the web app (its sentences rarely "
    "pass verification): extractive answer shown. Use an openai: or ollama: model."
)
Answerer = Literal["auto", "extractive", "llm"]
"""``auto``: the LLM when one is configured and reachable, else extractive."""
EvalProgress = Callable[[int, int], None]


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


def _run_dir(out_dir: Path | str | None, kind: str) -> Path:
    if out_dir is not None:
        return Path(out_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path("eval-runs") / f"{kind}-{stamp}"


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
        status = on_status or (lambda _message: None)
        client = chroma_client(settings.store)
        settings = configure(settings, embedder=embedder_spec(settings, client))
        status("Loading the embedding model")
        model = make_embedder(settings.embedder.spec, settings)
        vocabulary = load_vocabulary(settings.vocabulary)
        status("Opening the index")
        index = open_index(client, settings, model, vocabulary)
        return cls(settings, client, model, index)

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
        client = chroma_client(settings.store)
        model = make_embedder(settings.embedder.spec, settings)
        reindex(client, open_collections(client, settings.store), model, on_progress)
        vocabulary = load_vocabulary(settings.vocabulary)
        index = open_index(client, settings, model, vocabulary)
        return cls(settings, client, model, index)

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

    def _model_for(self, answerer: Answerer) -> tuple[BaseChatModel | None, str]:
        """Return the model ``answerer`` asks for, or None and why not."""
        if answerer == "extractive":
            return None, ""
        if answerer == "llm" and self.settings.llm.spec == "none":
            raise ConfigError(
                "the llm answerer needs a model: pass --llm SPEC or set "
                "SARCOLIT_LLM__SPEC (local:, openai:MODEL, ollama:MODEL)"
            )
        try:
            return self.chat_model(), ""
        except (BackendUnavailable, ConfigError) as exc:
            if answerer == "llm":
                raise
            spec = self.settings.llm.spec
            return None, f"LLM unavailable ({spec}: {exc}); extractive answer shown"

    def web_answerer(self) -> tuple[Answerer, str]:
        """Return the answerer the web app offers, and a note when it is not the LLM.

        The bundled Gemma 3 270M model rarely writes a sentence that passes
        verification, so the web app does not offer it: with ``local:`` (no
        file) it answers extractively and says so. ``openai:`` and ``ollama:``
        models, or a larger local file, are offered as configured.
        """
        from sarcolit.core.llm import is_bundled

        if is_bundled(self.settings.llm.spec):
            return "extractive", BUNDLED_NOTE
        return "auto", ""

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

    def _settings_for(self, k: int | None) -> Settings:
        if k is None:
            return self.settings
        retrieval = self.settings.retrieval.model_copy(update={"answer_pool": k})
        return self.settings.model_copy(update={"retrieval": retrieval})

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
        settings = self._settings_for(k)
        parts = plan(question, history, self.vocabulary)
        if needs_planning(question, parts):
            # Across trials, follow-ups and multi-part questions: every line is
            # a document's own sentence, cited, so no model is asked.
            records = self._synced_records()
            answer = answer_planned(
                question, parts, self.index, settings, filters, records
            )
            yield Done(answer)
            return
        model, note = self._model_for(answerer)
        notes = (note,) if note else ()
        if model is not None:
            try:
                with self._model_lock:
                    for event in stream_llm_answer(
                        question, self.index, settings, model, filters
                    ):
                        if not isinstance(event, Draft):  # never show a draft
                            yield event
                return
            except (BackendUnavailable, ConfigError) as exc:
                if answerer == "llm":
                    raise
                notes = (f"LLM failed ({exc}); extractive answer shown",)
        answer = answer_question(question, self.index, settings, filters)
        yield Done(answer.model_copy(update={"notes": (*answer.notes, *notes)}))

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

    def extract(
        self,
        paths: Sequence[Path | str] = (),
        *,
        out: Path | str = Path("records.jsonl"),
        csv: Path | str | None = None,
        csv_format: CsvFormat = "long",
        documents: Sequence[Document] | None = None,
        on_progress: Progress | None = None,
        follow_links: bool | None = None,
    ) -> BatchReport:
        """Extract trial records from files (or given documents) into JSONL and CSV.

        Files already extracted into ``out`` (same path and content) are
        skipped, an edited file's older records are retired, and a file that
        fails is reported while the others go on. The configured chat model,
        if any, extracts; otherwise the rules do.

        Args:
            paths: Files or folders of papers.
            out: JSON Lines output (appended to, resumable).
            csv: Also write a CSV here.
            csv_format: ``long`` (one row per value) or ``wide`` (the evidence
                table: one row per trial, arm or cohort, values of several
                documents merged, disagreements named).
            documents: Already-read documents to extract instead of ``paths``
                (e.g. :meth:`get_documents`).
            on_progress: Called with (source, done, total) after each file.
            follow_links: Read links in a folder that point outside it
                (default: ``ingest.follow_links``).
        """
        from sarcolit.extraction import run_batch, run_documents

        model = self.chat_model()
        workers = self.settings.extraction.llm_workers if model is not None else 1
        csv_path = Path(csv) if csv is not None else None
        if documents is not None:
            return run_documents(
                documents,
                Path(out),
                csv_path=csv_path,
                csv_format=csv_format,
                model=model,
                workers=workers,
                on_progress=on_progress,
                vocabulary=self.vocabulary,
            )
        settings = self.settings
        if follow_links is not None:
            ingest = settings.ingest.model_copy(update={"follow_links": follow_links})
            settings = settings.model_copy(update={"ingest": ingest})
        return run_batch(
            [Path(p) for p in paths],
            Path(out),
            settings=settings,
            csv_path=csv_path,
            csv_format=csv_format,
            model=model,
            workers=workers,
            on_progress=on_progress,
            vocabulary=self.vocabulary,
        )

    def _synced_records(self) -> list[TrialRecord]:
        """Return the stored records of every document, extracting new ones first."""
        from sarcolit.extraction import extract_document

        index = self.index
        with self._records_lock:
            ids = [info.id for info in index.documents()]
            self._records.sync(
                ids,
                index.get_documents,
                lambda d: list(extract_document(d, None, self.vocabulary).records),
                extractor_version(self.vocabulary.digest),
            )
            return self._records.records(ids)

    def records(self, doc_ids: Sequence[str] | None = None) -> list[TrialRecord]:
        """Return the merged trial records of ingested documents (rule extractor).

        Records are extracted when a document is ingested and kept with the
        store, so this reads them; documents another process added are
        extracted first.
        """
        from sarcolit.extraction import merge_records

        records = self._synced_records()
        if doc_ids is not None:
            wanted = set(doc_ids)
            records = [r for r in records if wanted & set(r.doc_ids)]
        return list(merge_records(records, self.vocabulary))

    # -- evals --------------------------------------------------------------

    def _gold_corpus(self, corpus: Path | str | None) -> dict[str, Document]:
        from sarcolit.evals import corpus_of, load_corpus

        if corpus is not None:
            return load_corpus(Path(corpus), max_bytes=self.settings.ingest.max_bytes)
        documents = self.get_documents()
        if not documents:
            raise ConfigError(
                "the library holds no documents; ingest corpus/ first "
                "(sarcolit ingest corpus/) or pass a corpus folder"
            )
        return corpus_of(documents)

    def evaluate_qa(
        self,
        gold: Path | str | None = None,
        *,
        k: int = 8,
        answerer: Answerer = "auto",
        corpus: Path | str | None = None,
        out_dir: Path | str | None = None,
        progress: EvalProgress | None = None,
    ) -> QARun:
        """Answer every gold question; score retrieval, citations and answers.

        Args:
            gold: JSONL gold file (default: the bundled QA gold set).
            k: Cut-off of recall@k.
            answerer: As for :meth:`ask`.
            corpus: Read the evidence documents from this folder instead of the
                library.
            out_dir: Run directory (default ``eval-runs/qa-TIMESTAMP``).
            progress: Called with (done, total) after each question.

        Raises:
            GoldFileError: the gold file is malformed or cites unknown text.
        """
        from sarcolit.evals import QA_GOLD, load_qa_gold, run_qa_eval

        self._model_for(answerer)  # a missing model fails before any work
        gold_path = Path(gold) if gold is not None else QA_GOLD
        questions = load_qa_gold(gold_path, self._gold_corpus(corpus))
        return run_qa_eval(
            questions,
            search=lambda query, depth: self.search(query, depth),
            answer=lambda question: self.ask(question, answerer=answerer),
            out_dir=_run_dir(out_dir, "qa"),
            k=k,
            settings={"gold": str(gold_path), "answerer": answerer},
            progress=progress,
        )

    def evaluate_synthesis(
        self,
        gold: Path | str | None = None,
        *,
        answerer: Answerer = "auto",
        corpus: Path | str | None = None,
        out_dir: Path | str | None = None,
        progress: EvalProgress | None = None,
    ) -> SynthesisRun:
        """Answer every synthesis question (with its conversation); score its facts.

        Args:
            gold: JSONL gold file (default: the bundled synthesis gold set).
            answerer: As for :meth:`ask`.
            corpus: Read the evidence documents from this folder instead of the
                library.
            out_dir: Run directory (default ``eval-runs/synthesis-TIMESTAMP``).
            progress: Called with (done, total) after each question.

        Raises:
            GoldFileError: the gold file is malformed or cites unknown text.
        """
        from sarcolit.evals import (
            SYNTHESIS_GOLD,
            load_synthesis_gold,
            run_synthesis_eval,
        )

        self._model_for(answerer)  # a missing model fails before any work
        gold_path = Path(gold) if gold is not None else SYNTHESIS_GOLD
        questions = load_synthesis_gold(gold_path, self._gold_corpus(corpus))
        return run_synthesis_eval(
            questions,
            answer=lambda question, history: self.ask(
                question, history=history, answerer=answerer
            ),
            out_dir=_run_dir(out_dir, "synthesis"),
            settings={"gold": str(gold_path), "answerer": answerer},
            progress=progress,
        )

    def evaluate_extraction(
        self,
        gold: Path | str | None = None,
        *,
        corpus: Path | str | None = None,
        extractor: Literal["rules", "llm"] = "rules",
        out_dir: Path | str | None = None,
        progress: EvalProgress | None = None,
    ) -> ExtractionRun:
        """Extract records from the gold documents and score them field by field.

        Args:
            gold: JSONL gold file (default: the bundled extraction gold set).
            corpus: Folder of the gold documents (default: the library's).
            extractor: ``rules`` or ``llm`` (the configured chat model).
            out_dir: Run directory (default ``eval-runs/extraction-TIMESTAMP``).
            progress: Called with (done, total) as documents are extracted.

        Raises:
            GoldFileError: the gold file is malformed or names unknown documents.
        """
        from sarcolit.evals import (
            EXTRACTION_GOLD,
            load_extraction_gold,
            run_extraction_eval,
        )
        from sarcolit.extraction import extract_document

        model = None
        if extractor == "llm":
            model = self._model_for("llm")[0]
        documents: Mapping[str, Document] = self._gold_corpus(corpus)
        gold_path = Path(gold) if gold is not None else EXTRACTION_GOLD
        rows = load_extraction_gold(gold_path, documents)
        return run_extraction_eval(
            rows,
            documents,
            extract=lambda doc: extract_document(doc, model, self.vocabulary).records,
            out_dir=_run_dir(out_dir, "extraction"),
            settings={"gold": str(gold_path), "extractor": extractor},
            progress=progress,
            vocabulary=self.vocabulary,
        )
