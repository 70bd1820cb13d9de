"""Reader for PDF files, page by page, with pymupdf.

Each text line is classed as heading-like when its font is clearly larger
than the body font (the most common size, by characters) or when it is bold
at body size. Runs of lines of one class become a block; a heading-like run
becomes a heading only if it also passes the plain-text heading rule (short,
no final period). Heading levels follow font size, largest first. Lines of
a paragraph are joined and de-hyphenated; bare page numbers are dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sarcolit.core.errors import IngestError
from sarcolit.core.models import Document
from sarcolit.ingest.assemble import Block, assemble
from sarcolit.ingest.normalization import compounds, dehyphenate
from sarcolit.ingest.text import is_heading_line

HEADING_SIZE_RATIO = 1.15
_BOLD = 16  # pymupdf's TEXT_FONT_BOLD span flag
# pymupdf's own annotations are partial (untyped constructors and methods), so
# its documents and pages are handled as Any inside this module only.


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    size: float
    bold: bool
    page: int


def _lines(page: Any, number: int) -> list[list[_Line]]:
    """Return the text lines of one page, grouped by pymupdf's blocks."""
    grouped: list[list[_Line]] = []
    for block in page.get_text("dict")["blocks"]:
        if block.get("type") != 0:
            continue  # an image block
        lines = []
        for line in block["lines"]:
            spans = [s for s in line["spans"] if s["text"].strip()]
            if not spans:
                continue
            text = "".join(s["text"] for s in line["spans"]).strip()
            size = max(round(float(s["size"]) * 2) / 2 for s in spans)
            bold = all(int(s["flags"]) & _BOLD for s in spans)
            lines.append(_Line(text, size, bold, number))
        if lines:
            grouped.append(lines)
    return grouped


def _body_size(groups: list[list[_Line]]) -> float:
    counts: Counter[float] = Counter()
    for lines in groups:
        for line in lines:
            counts[line.size] += len(line.text)
    return counts.most_common(1)[0][0] if counts else 0.0


def _heading_rank(line: _Line, body: float) -> float | None:
    """Return a sort key for heading-like lines (bigger first), None for body text."""
    if body and line.size >= body * HEADING_SIZE_RATIO:
        return line.size
    if line.bold and line.size >= body:
        return body
    return None


def _runs(lines: list[_Line], body: float) -> list[tuple[float | None, list[_Line]]]:
    runs: list[tuple[float | None, list[_Line]]] = []
    for line in lines:
        rank = _heading_rank(line, body)
        if runs and runs[-1][0] == rank:
            runs[-1][1].append(line)
        else:
            runs.append((rank, [line]))
    return runs


def _blocks(groups: list[list[_Line]]) -> list[Block]:
    body = _body_size(groups)
    runs = [run for lines in groups for run in _runs(lines, body)]
    sizes = sorted({rank for rank, lines in runs if rank is not None}, reverse=True)
    keep = compounds(" ".join(line.text for lines in groups for line in lines))
    blocks: list[Block] = []
    for rank, lines in runs:
        text = dehyphenate("\n".join(line.text for line in lines), keep)
        page = lines[0].page
        if text.isdigit():
            continue  # a page number
        if rank is not None and is_heading_line(text):
            blocks.append(Block(text, "heading", sizes.index(rank) + 1, page))
        else:
            blocks.append(Block(text, "para", page=page))
    return blocks


def _open(path: Path) -> Any:
    import pymupdf  # ~0.8 s to import: only when a PDF is read, not on every command

    try:
        pdf: Any = pymupdf.open(path, filetype="pdf")  # type: ignore[no-untyped-call]
    except Exception as exc:  # mupdf raises its own types (FzErrorFormat ...)
        raise IngestError(
            path, f"not a readable PDF ({exc}); is the file corrupt?"
        ) from exc
    if pdf.needs_pass:
        pdf.close()
        raise IngestError(
            path, "the PDF is encrypted; save an unencrypted copy and ingest that"
        )
    return pdf


def read_pdf(path: Path) -> Document:
    """Read a PDF's text page by page; every block keeps its page number.

    The title is the first heading, else the PDF metadata title, else the stem.
    """
    pdf: Any = _open(path)
    try:
        metadata = pdf.metadata or {}
        groups = [
            group
            for number, page in enumerate(pdf, start=1)
            for group in _lines(page, number)
        ]
    except Exception as exc:  # a page-tree cycle raises FzErrorFormat, no RuntimeError
        raise IngestError(path, f"cannot read the PDF's text ({exc})") from exc
    finally:
        pdf.close()
    blocks = _blocks(groups)
    # Metadata titles are often junk ('Microsoft Word - draft3.docx'): they are
    # used only when the layout shows no heading at all.
    has_heading = any(block.kind == "heading" for block in blocks)
    title = None if has_heading else str(metadata.get("title") or "").strip() or None
    return assemble(blocks, source=str(path), title=title)
