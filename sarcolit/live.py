"""The open store and its hybrid index, kept in step with other processes.

Readers (search, ask, the document list) take :meth:`LiveIndex.current`: a
consistent snapshot, never blocked by an ingest. A writer uses
:meth:`LiveIndex.writing`: one writer per process, and one per data directory
across processes (a file lock); when it is done a new index is built and
swapped in, and the data directory's change token is replaced so that other
processes reopen the store on their next query.

A reader notices another process's ingest in two ways: the change token, read
on every query (a small file), and the store's document fingerprint, compared
at most every ``store.refresh_s`` seconds (for writers that share the store but
not the data directory, as with a Chroma server).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sarcolit.core.datadir import bump_generation, read_generation, writer_lock
from sarcolit.core.settings import Settings
from sarcolit.core.store import fresh_client
from sarcolit.retrieval import HybridIndex, open_index

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_core.embeddings import Embeddings


class LiveIndex:
    """Holds the current client and index; swaps them when the store changes."""

    def __init__(
        self,
        settings: Settings,
        client: ClientAPI,
        embedder: Embeddings,
        index: HybridIndex,
    ) -> None:
        """Start from an open client and index."""
        self.settings = settings
        self.client = client
        self.embedder = embedder
        self._index = index
        self._data_dir = settings.store.path
        self._generation = read_generation(self._data_dir)
        self._checked = time.monotonic()
        self._swap = threading.Lock()
        self._writer = threading.Lock()

    def current(self) -> HybridIndex:
        """Return the index to read, reopened first if another process wrote.

        Raises:
            BackendUnavailable: the store failed while being reopened.
        """
        if not self._writer.locked():  # our own ingest swaps in its index itself
            self._sync()
        return self._index

    def _sync(self) -> None:
        if read_generation(self._data_dir) != self._generation:
            self._reopen()
            return
        now = time.monotonic()
        if now - self._checked < self.settings.store.refresh_s:
            return
        self._checked = now
        index = self._index
        if index.store_fingerprint() != index.sparse.fingerprint:
            self._reopen()

    def _reopen(self, *, wait: bool = False) -> None:
        """Open the store afresh and swap in a new index (one thread does it).

        Args:
            wait: Wait for a reopen in progress (a writer must write through a
                current client) instead of reading the current index meanwhile.
        """
        if not self._swap.acquire(blocking=wait):
            return
        try:
            generation = read_generation(self._data_dir)
            if wait and generation == self._generation:
                return  # another thread reopened while this one waited
            client = fresh_client(self.settings.store)
            index = open_index(
                client, self.settings, self.embedder, self._index.vocabulary
            )
            self.client, self._index = client, index
            self._generation = generation
            self._checked = time.monotonic()
        finally:
            self._swap.release()

    @contextmanager
    def writing(
        self, on_wait: Callable[[str], None] | None = None
    ) -> Iterator[HybridIndex]:
        """Hold the write locks and yield the index to write through.

        On exit, even after an error, the change token is replaced and a new
        index over what was written is swapped in.

        Args:
            on_wait: Told, once, when another process is writing and this waits.

        Raises:
            BackendUnavailable: another writer held the data directory too long,
                or the store failed.
        """
        with self._writer, writer_lock(self._data_dir, on_wait=on_wait):
            if read_generation(self._data_dir) != self._generation:
                # Write through a client that sees the other writers' data.
                self._reopen(wait=True)
            index = self._index
            try:
                yield index
            finally:
                self._generation = bump_generation(self._data_dir)
                fresh = index.refreshed()
                with self._swap:
                    self._index = fresh
                    self._checked = time.monotonic()
