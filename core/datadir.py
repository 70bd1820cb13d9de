"""Coordination between processes that share a data directory.

Two files in the data directory:

- ``write.lock``: one writer at a time. An ingest holds it from its first write
  to its last, so a second ingest (another CLI, the web app) waits and says so,
  and Chroma's embedded store never sees two writers at once.
- ``generation``: a token every writer replaces when it is done. A long-running
  reader (the web app) compares it on each query, a cheap file read, and
  reopens the store when it changed, so it sees what another process ingested.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from sarcolit.core.errors import BackendUnavailable

LOCK_FILE = "write.lock"
OWNER_FILE = "write.owner"
GENERATION_FILE = "generation"
WRITE_WAIT_S = 3600.0
"""How long a writer waits for another before giving up."""


def _holder(data_dir: Path) -> str:
    try:
        owner = json.loads((data_dir / OWNER_FILE).read_text(encoding="utf-8"))
        return f"pid {owner['pid']} on {owner['host']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextmanager
def writer_lock(
    data_dir: Path,
    *,
    wait_s: float = WRITE_WAIT_S,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the data directory's write lock; wait for another writer if need be.

    Args:
        data_dir: The data directory (created if missing).
        wait_s: Longest wait for another writer.
        on_wait: Called once with a message when another writer holds the lock.

    Raises:
        BackendUnavailable: another writer held the lock for all of ``wait_s``.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(data_dir / LOCK_FILE)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(
                f"{_holder(data_dir)} is writing to {data_dir}; waiting for it "
                f"to finish (up to {wait_s:.0f} s)"
            )
        try:
            lock.acquire(timeout=wait_s)
        except Timeout as exc:
            raise BackendUnavailable(
                f"{_holder(data_dir)} has been writing to {data_dir} for over "
                f"{wait_s:.0f} s; try again when it is done"
            ) from exc
    try:
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "at": time.time()}
        (data_dir / OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")
        yield
    finally:
        lock.release()


def read_generation(data_dir: Path) -> str:
    """Return the data directory's change token ('' before the first write)."""
    try:
        return (data_dir / GENERATION_FILE).read_text(encoding="utf-8")
    except OSError:
        return ""


def bump_generation(data_dir: Path) -> str:
    """Replace the change token (atomically) and return the new one."""
    token = uuid.uuid4().hex
    tmp = data_dir / f"{GENERATION_FILE}.{os.getpid()}.tmp"
    tmp.write_text(token, encoding="utf-8")
    os.replace(tmp, data_dir / GENERATION_FILE)
    return token
