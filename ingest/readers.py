"""Readers keyed by file suffix, and the checked entry point :func:`read_document`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sarcolit.core.errors import IngestError, SarcolitError
from sarcolit.core.models import DocKind, Document
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest.context import with_context
from sarcolit.ingest.html import read_html
from sarcolit.ingest.jats import read_jats
from sarcolit.ingest.pdf import read_pdf
from sarcolit.ingest.text import decode_text, read_markdown, read_text

Reader = Callable[[Path], Document]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".xml": read_jats,
    ".nxml": read_jats,
}
# Suffixes whose bytes must be UTF-8 text; PDF and XML carry their own encoding.
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
SIDECAR_SUFFIX = ".meta.json"


class Sidecar(BaseModel):
    """Metadata read from ``<stem>.meta.json``; keys present override the reader."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str | None = Field(default=None, min_length=1)
    year: int | None = Field(default=None, ge=1800, le=2200)
    kind: DocKind | None = None
    note: str | None = Field(default=None, description="Free text, ignored.")


def sidecar_path(path: Path) -> Path:
    """Return where the metadata sidecar of ``path`` would be."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> Sidecar | None:
    """Read the sidecar of document ``path``; None when there is none."""
    meta = sidecar_path(path)
    if not meta.is_file():
        return None
    try:
        raw = json.loads(meta.read_text(encoding="utf-8-sig"))
        return Sidecar.model_validate(raw)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(meta, f"malformed metadata sidecar: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}"
            for e in exc.errors()
        )
        raise IngestError(
            meta,
            f"malformed metadata sidecar ({problems}); "
            "allowed keys: title (text), year (integer or null), "
            "kind (review, trial, article, unknown), note",
        ) from exc


def _apply_sidecar(document: Document, sidecar: Sidecar | None) -> Document:
    if sidecar is None:
        return document
    given = sidecar.model_fields_set - {"note"}
    update = {key: getattr(sidecar, key) for key in given}
    if update.get("title") is None:
        update.pop("title", None)
    if "kind" in update and update["kind"] is None:
        update["kind"] = "unknown"
    return Document.model_validate(document.model_dump() | update)


def check_file(path: Path, max_bytes: int) -> None:
    """Check, without reading it, that ``path`` is a regular, supported file in size.

    Raises:
        IngestError: it is missing, not a regular file (a FIFO, a folder), of an
            unsupported type, empty or over ``max_bytes``.
    """
    if not path.exists():
        raise IngestError(path, "no such file")
    if not path.is_file():
        raise IngestError(path, "not a regular file")
    suffix = path.suffix.lower()
    if suffix not in READERS:
        supported = ", ".join(sorted(READERS))
        raise IngestError(
            path,
            f"unsupported file type {suffix or '(none)'!r}; supported: {supported}",
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(
            path,
            f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; "
            "raise SARCOLIT_INGEST__MAX_BYTES to read it",
        )
    if size == 0:
        raise IngestError(path, "the file is empty")


def _check_text_bytes(path: Path) -> None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read the file: {exc.strerror}") from exc
    nul = data.find(b"\x00")
    if nul >= 0:
        raise IngestError(
            path,
            f"binary content (NUL byte at offset {nul}) in a text file; "
            "if it is UTF-16 text, re-save it as UTF-8",
        )
    decode_text(path, data)


def read_document(
    path: Path, *, max_bytes: int, vocabulary: Vocabulary | None = None
) -> Document:
    """Read ``path`` with the reader for its suffix, after checking the file.

    The checks run in order: the file exists, its suffix is supported, it is no
    larger than ``max_bytes``, it is not empty, and (for text formats) it holds
    no NUL byte and decodes as UTF-8. A sidecar ``<stem>.meta.json`` beside the
    file overrides title, year and kind. The kind, when no sidecar gives it, and
    the subject trial are read from the text (:mod:`sarcolit.ingest.context`).

    Raises:
        IngestError: one line saying what is wrong with the file.
    """
    check_file(path, max_bytes)
    if path.suffix.lower() in TEXT_SUFFIXES:
        _check_text_bytes(path)
    sidecar = read_sidecar(path)
    try:
        document = READERS[path.suffix.lower()](path)
    except SarcolitError:
        raise
    except Exception as exc:  # a parser's own error: this file fails, not the batch
        message = str(exc)[:200]
        raise IngestError(
            path, f"cannot read the file ({exc.__class__.__name__}: {message})"
        ) from exc
    if not document.text.strip():
        raise IngestError(path, "no text left after normalisation (is it a scan?)")
    kind_given = sidecar is not None and sidecar.kind is not None
    return with_context(
        _apply_sidecar(document, sidecar),
        kind_given=kind_given,
        vocabulary=vocabulary,
    )
