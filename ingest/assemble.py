"""Turn the blocks a reader found into a normalised ``Document``.

Readers only find blocks (headings, paragraphs, table rows, with a page number
for PDFs); this module is the one place that normalises text and computes
offsets, so every reader gets the same sections, pages and document id.

Section spans do not overlap: a section runs from the start of its heading to
the end of the last block before the next heading of any level, and its
``path`` carries the nesting ('Results > Safety'). Text before the first
heading belongs to no section (``Document.section_at`` returns '').

A first heading that stands above all others (the only one at the smallest
level, as a Markdown '# Title' or an HTML <h1>) is the document's title, not
a section: it stays in the text but opens no section, so paths do not all
start with the title.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sarcolit.core.models import DocKind, Document, Page, Section
from sarcolit.ingest.normalization import normalize

BlockKind = Literal["heading", "para", "row"]
BLOCK_SEPARATOR = "\n\n"
SECTION_SEPARATOR = " > "
CELL_SEPARATOR = " | "


@dataclass(frozen=True, slots=True)
class Block:
    """A piece of a document as a reader found it, before normalisation.

    Attributes:
        text: Raw text; for a table row, its cells already joined by ' | '.
        kind: 'heading', 'para' or 'row'.
        level: Heading level, 1 outermost; ignored for other kinds.
        page: 1-based PDF page, None for other formats.
    """

    text: str
    kind: BlockKind = "para"
    level: int = 1
    page: int | None = None


def row_block(cells: Iterable[str], page: int | None = None) -> Block:
    """Return a table-row block whose text is the non-empty cells joined by ' | '."""
    parts = [" ".join(cell.split()) for cell in cells]
    return Block(CELL_SEPARATOR.join(p for p in parts if p), "row", page=page)


def document_id(text: str) -> str:
    """Return the content id of a normalised text: 16 hex chars of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _clean(block: Block) -> str:
    text = normalize(block.text).strip()
    if block.kind != "para":
        # Headings and rows are single lines, so a sentence or section never
        # straddles them and a section's heading ends at the first newline.
        text = " ".join(text.split())
    return text


def _page_spans(placed: list[tuple[Block, int, int]]) -> tuple[Page, ...]:
    pages: list[Page] = []
    for block, start, end in placed:
        if block.page is None:
            continue
        if pages and pages[-1].number == block.page:
            pages[-1] = Page(number=block.page, start=pages[-1].start, end=end)
        else:
            pages.append(Page(number=block.page, start=start, end=end))
    return tuple(pages)


def _title_heading(placed: list[tuple[Block, int, int]]) -> Block | None:
    """Return the first heading if it is the one heading above all others."""
    headings = [block for block, _, _ in placed if block.kind == "heading"]
    if len(headings) < 2:
        return None
    first, rest = headings[0], headings[1:]
    return first if all(first.level < other.level for other in rest) else None


def _section_spans(
    placed: list[tuple[Block, int, int]], text: str
) -> tuple[Section, ...]:
    title_heading = _title_heading(placed)
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    open_start: int | None = None
    last_end = 0
    for block, start, end in placed:
        if block.kind == "heading" and block is not title_heading:
            if open_start is not None:
                sections.append(_section(stack, open_start, last_end))
            level = max(block.level, 1)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text[start:end]))
            open_start = start
        last_end = end
    if open_start is not None:
        sections.append(_section(stack, open_start, last_end))
    return tuple(sections)


def _section(stack: list[tuple[int, str]], start: int, end: int) -> Section:
    path = SECTION_SEPARATOR.join(title for _, title in stack)
    return Section(path=path, start=start, end=end)


def assemble(
    blocks: Iterable[Block],
    *,
    source: str,
    title: str | None,
    kind: DocKind = "unknown",
    year: int | None = None,
) -> Document:
    """Normalise ``blocks`` once, join them and record section and page spans.

    Args:
        blocks: Blocks in reading order; empty ones are dropped.
        source: The path the document was read from.
        title: The title the reader found; None falls back to the first
            heading, then to the file stem.
        kind: The kind of document.
        year: Publication year, if known.
    """
    placed: list[tuple[Block, int, int]] = []
    parts: list[str] = []
    offset = 0
    for block in blocks:
        cleaned = _clean(block)
        if not cleaned:
            continue
        if parts:
            offset += len(BLOCK_SEPARATOR)
        placed.append((block, offset, offset + len(cleaned)))
        parts.append(cleaned)
        offset += len(cleaned)
    text = BLOCK_SEPARATOR.join(parts)
    headings = [text[s:e] for b, s, e in placed if b.kind == "heading"]
    found_title = " ".join(normalize(title).split()) if title else ""
    return Document(
        id=document_id(text),
        source=source,
        title=found_title or (headings[0] if headings else Path(source).stem),
        kind=kind,
        year=year,
        text=text,
        sections=_section_spans(placed, text),
        pages=_page_spans(placed),
    )
