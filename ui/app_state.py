"""What the web app and the HTTP API share: one open library per server process."""

from __future__ import annotations

import queue
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sarcolit.core.errors import IngestError
from sarcolit.core.models import Answer, Document, SearchHit
from sarcolit.core.settings import Settings
from sarcolit.extraction import BatchReport
from sarcolit.ingest import READERS, DocInfo, FileOutcome, IngestReport, read_document
from sarcolit.library import Library
from sarcolit.retrieval import AnswerEvent, Done, Filters

UPLOAD_MAX_BYTES = 20_000_000
"""Largest file the web app accepts (the ingest limit applies too)."""
UPLOAD_SUFFIXES = tuple(sorted(READERS))
"""File types the web app accepts: what the readers can read."""
MAX_TURNS = 20
"""Questions of a conversation remembered for follow-ups."""
MAX_CONVERSATIONS = 1000
"""Conversations the HTTP API remembers (the oldest are forgotten)."""
_T = TypeVar("_T")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class DocRow:
    """A document of the library with the entities its passages name."""

    info: DocInfo
    subtypes: tuple[str, ...]
    agents: tuple[str, ...]
    trials: tuple[str, ...]


@dataclass
class AppState:
    """The open library, the server's scratch folder and a cache of texts.

    Every job goes through :class:`~sarcolit.Library`, which holds the rules
    (which answerer, which model, what fallback); this adds only what a web
    server needs: per-browser scratch folders and document texts for display.
    """

    library: Library
    work_dir: Path
    texts: dict[str, str] = field(default_factory=dict)
    conversations: dict[str, list[str]] = field(default_factory=dict)
    _talk_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def settings(self) -> Settings:
        """The settings the library was opened with."""
        return self.library.settings

    def ask(
        self,
        question: str,
        filters: Filters | None = None,
        k: int | None = None,
        history: Sequence[str] = (),
    ) -> Answer:
        """Answer ``question`` as ``sarcolit ask`` does (``k`` passages)."""
        return self.library.ask(question, k=k, filters=filters, history=history)

    def converse(
        self,
        conversation_id: str,
        question: str,
        filters: Filters | None = None,
        k: int | None = None,
    ) -> Answer:
        """Answer ``question`` as the next turn of a conversation kept by id."""
        with self._talk_lock:
            history = list(self.conversations.get(conversation_id, []))
        answer = self.ask(question, filters, k, history)
        with self._talk_lock:
            turns = self.conversations.pop(conversation_id, [])
            turns = [*turns, question][-MAX_TURNS:]
            self.conversations[conversation_id] = turns
            while len(self.conversations) > MAX_CONVERSATIONS:
                self.conversations.pop(next(iter(self.conversations)))
        return answer

    def ask_events(
        self,
        question: str,
        filters: Filters | None = None,
        history: Sequence[str] = (),
    ) -> Iterator[AnswerEvent]:
        """Yield the web app's answer events for ``question``.

        The library picks the answerer the web app offers (never the bundled
        270M model). Produced in a worker thread: a generator resumed by Gradio
        may run each step on a different thread, so the library's lock cannot be
        held across its ``yield``s.
        """
        answerer, note = self.library.web_answerer()

        def events() -> Iterator[AnswerEvent]:
            for event in self.library.ask_events(
                question, filters=filters, answerer=answerer, history=history
            ):
                if isinstance(event, Done) and note:
                    notes = (*event.answer.notes, note)
                    event = Done(event.answer.model_copy(update={"notes": notes}))
                yield event

        return _in_worker(events)

    def search(
        self, query: str, k: int | None = None, filters: Filters | None = None
    ) -> list[SearchHit]:
        """Return the top passages for ``query``."""
        return self.library.search(query, k, filters)

    def documents(self) -> list[DocInfo]:
        """Return the catalogue of ingested documents, by title."""
        return self.library.documents()

    def document_rows(self) -> list[DocRow]:
        """Return every document with the subtypes, agents and trials it names."""
        found: dict[str, tuple[set[str], set[str], set[str]]] = {}
        for chunk in self.library.index.chunks:
            subtypes, agents, trials = found.setdefault(
                chunk.doc_id, (set(), set(), set())
            )
            subtypes.update(chunk.tags.subtypes)
            agents.update(chunk.tags.agents)
            trials.update(chunk.tags.trials)
        empty: tuple[set[str], set[str], set[str]] = (set(), set(), set())
        rows = []
        for info in self.documents():
            subtypes, agents, trials = found.get(info.id, empty)
            rows.append(
                DocRow(
                    info,
                    tuple(sorted(subtypes)),
                    tuple(sorted(agents)),
                    tuple(sorted(trials)),
                )
            )
        return rows

    def get_documents(self, ids: Sequence[str] | None) -> list[Document]:
        """Return ingested documents (all when ``ids`` is None), remembering texts."""
        documents = self.library.get_documents(ids)
        for document in documents:
            self.texts[document.id] = document.text
        return documents

    def texts_for(self, doc_ids: Sequence[str]) -> dict[str, str | None]:
        """Return the normalised text of each document id (None when unknown)."""
        missing = [d for d in dict.fromkeys(doc_ids) if d not in self.texts]
        if missing:
            self.get_documents(missing)
        return {d: self.texts.get(d) for d in doc_ids}

    def ingest(
        self, paths: Sequence[Path], on_file: Callable[[FileOutcome], None] | None
    ) -> IngestReport:
        """Ingest files into the library."""
        return self.library.ingest(paths, on_file)

    def scratch(self, session_hash: str | None, kind: str) -> Path:
        """Return a fresh folder for one browser session's uploads or outputs."""
        owner = _UNSAFE.sub("_", session_hash or "anonymous")
        base = self.work_dir / "sessions" / owner
        base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=base))

    def forget(self, session_hash: str | None) -> None:
        """Delete one browser session's uploads and outputs."""
        owner = _UNSAFE.sub("_", session_hash or "anonymous")
        shutil.rmtree(self.work_dir / "sessions" / owner, ignore_errors=True)

    def extract(self, documents: Sequence[Document], out_dir: Path) -> BatchReport:
        """Extract trial records into ``out_dir``: JSONL and both CSV layouts.

        records.jsonl, records.csv (one row per value) and evidence-table.csv
        (one row per trial, arm or cohort).
        """
        for document in documents:
            self.texts[document.id] = document.text
        out = out_dir / "records.jsonl"
        report = self.library.extract(
            out=out, csv=out_dir / "records.csv", documents=documents
        )
        # Everything is extracted by now: this pass only writes the wide CSV.
        self.library.extract(
            out=out,
            csv=out_dir / "evidence-table.csv",
            csv_format="wide",
            documents=documents,
        )
        return report


def _in_worker(events: Callable[[], Iterator[_T]]) -> Iterator[_T]:
    """Yield ``events()`` as produced by a worker thread."""
    channel: queue.Queue[tuple[_T | None, BaseException | None, bool]] = queue.Queue()

    def work() -> None:
        try:
            for event in events():
                channel.put((event, None, False))
        except BaseException as exc:  # handed to the reading thread
            channel.put((None, exc, False))
        finally:
            channel.put((None, None, True))

    threading.Thread(target=work, daemon=True).start()
    while True:
        event, error, finished = channel.get()
        if error is not None:
            raise error
        if finished:
            return
        assert event is not None
        yield event


def upload_folder() -> Path:
    """Return the folder Gradio saves this server's uploads in (links resolved)."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()).resolve()


def stage_uploads(
    files: Sequence[str | Path],
    folder: Path,
    max_bytes: int,
    uploads: Path | None = None,
) -> Iterator[tuple[str, Path | None, str]]:
    """Copy uploads into ``folder``; yield (name, copy or None, reason refused).

    Args:
        files: Paths Gradio handed over.
        folder: Where the copies go.
        max_bytes: Largest file accepted.
        uploads: Only files inside this folder (links resolved) are taken
            (default: :func:`upload_folder`); anything else is refused.
    """
    allowed = uploads or upload_folder()
    for upload in files:
        source = Path(upload)
        name = _UNSAFE.sub("_", source.name) or "upload"
        if not source.resolve().is_relative_to(allowed):
            yield name, None, "not a file uploaded to this server"
            continue
        suffix = source.suffix.lower()
        if suffix not in READERS:
            yield (
                name,
                None,
                f"type {suffix or '(none)'} not accepted; use "
                + (", ".join(UPLOAD_SUFFIXES)),
            )
            continue
        size = source.stat().st_size
        if size > max_bytes:
            yield name, None, f"{size:,} bytes is over the {max_bytes:,}-byte limit"
            continue
        target = folder / name
        shutil.copyfile(source, target)
        yield name, target, ""


def read_uploads(
    paths: Sequence[Path], max_bytes: int
) -> tuple[list[Document], list[tuple[str, str]]]:
    """Read uploaded papers; return the documents and (name, reason) failures."""
    documents: list[Document] = []
    failures: list[tuple[str, str]] = []
    for path in paths:
        try:
            documents.append(read_document(path, max_bytes=max_bytes))
        except IngestError as exc:
            failures.append((path.name, exc.reason))
    return documents, failures
