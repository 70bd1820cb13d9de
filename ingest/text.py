"""Readers for plain text (.txt) and Markdown (.md, .markdown).

Plain text has no markup, so headings are guessed: a short line (at most 12
words) with no final period, colon or semicolon, not a numbered list item nor
a 'Table 1 | ...' / 'Figure 1 | ...' caption, standing alone between blank
lines. Every plain-text heading gets level 1: blank-line counts and heading
runs are too irregular in real files to infer nesting reliably.

A results table flattened to text keeps one row per line, its cells split by
tabs or by '|'. Two or more such lines with the same number of cells are table
rows, each a row block like an HTML or Markdown table row; a lone line with
pipes ('2019 ASCO Annual Meeting | Sarcoma') stays text.
"""

from __future__ import annotations

import re
from pathlib import Path

from sarcolit.core.errors import IngestError
from sarcolit.core.models import Document
from sarcolit.ingest.assemble import Block, assemble, row_block

MAX_HEADING_WORDS = 12
_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n")
_NUMBERED_ITEM = re.compile(r"^\d+\s*[.)]\s")
_CAPTION = re.compile(r"^(?:Table|Figure|Fig\.?)\s+\d+\s*[|:.]", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")


def decode_text(path: Path, data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or raise IngestError with the bad offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise IngestError(
            path,
            f"not valid UTF-8: byte 0x{bad} at offset {exc.start}; "
            "re-save the file as UTF-8",
        ) from exc


def read_text_file(path: Path) -> str:
    """Return the decoded contents of a UTF-8 text file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read the file: {exc.strerror}") from exc
    return decode_text(path, data)


def is_heading_line(line: str) -> bool:
    """Return True when a stripped line of plain text looks like a heading."""
    line = " ".join(line.split())
    if not line or len(line.split()) > MAX_HEADING_WORDS:
        return False
    if line[-1] in ".:;,":
        return False
    if _NUMBERED_ITEM.match(line) or _CAPTION.match(line):
        return False
    return line[0].isalnum() and not line.startswith("|")


def _split_trailing_heading(lines: list[str]) -> list[Block]:
    # A heading typed on the line right after a paragraph, with no blank line
    # between (the seed review's ' Introduction'), is kept apart from it.
    if (
        len(lines) > 1
        and is_heading_line(lines[-1])
        and _SENTENCE_END.search(lines[-2].rstrip())
    ):
        return [Block(" ".join(lines[:-1])), Block(lines[-1], "heading")]
    return [Block(" ".join(lines))]


def _cells(line: str) -> list[str]:
    """Return the cells of a tab- or pipe-separated line ([] for other lines)."""
    separator = "\t" if "\t" in line else "|"
    cells = [cell.strip() for cell in line.strip().strip("|").split(separator)]
    return cells if len([c for c in cells if c]) >= 2 else []


def _table_rows(lines: list[str]) -> list[Block]:
    """Return row blocks when most lines of a chunk are rows of one table."""
    cells = [_cells(line) for line in lines]
    widths = [len(c) for c in cells if c]
    if len(widths) < 2 or len(widths) * 2 <= len(lines):
        return []
    width = max(set(widths), key=widths.count)
    if widths.count(width) < 2:
        return []
    return [
        row_block(row) if len(row) == width else Block(line)
        for line, row in zip(lines, cells, strict=True)
    ]


def plain_text_blocks(text: str) -> list[Block]:
    """Split plain text into blocks: paragraphs at blank lines, headings, rows."""
    blocks: list[Block] = []
    for chunk in _BLANK_LINES.split(text.replace("\r\n", "\n")):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        rows = _table_rows(lines)
        if rows:
            blocks.extend(rows)
        elif len(lines) == 1 and is_heading_line(lines[0]):
            blocks.append(Block(lines[0], "heading"))
        else:
            blocks.extend(_split_trailing_heading(lines))
    return blocks


def read_text(path: Path) -> Document:
    """Read a UTF-8 plain-text file; paragraphs are separated by blank lines."""
    blocks = plain_text_blocks(read_text_file(path))
    if all(block.kind == "heading" for block in blocks):
        # A few words with no final period and nothing under them are the text
        # itself, not a heading over an empty document.
        blocks = [Block(block.text) for block in blocks]
    first_is_heading = bool(blocks) and blocks[0].kind == "heading"
    title = None if first_is_heading else path.stem
    return assemble(blocks, source=str(path), title=title)


_ATX = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = (
    re.compile(r"\*\*(.+?)\*\*"),
    re.compile(r"__(.+?)__"),
    re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"),
    re.compile(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)"),
    re.compile(r"`([^`]+)`"),
)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def _inline(text: str) -> str:
    """Strip inline Markdown: images to alt text, links to their text, emphasis."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    return _ESCAPE.sub(r"\1", text)


def _table_cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [_inline(cell.strip()) for cell in line.split("|")]


class _MarkdownParser:
    """Line-by-line Markdown block parser; holds the open paragraph and fence."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.para: list[str] = []
        self.fence: list[str] | None = None

    def flush(self) -> None:
        """Emit the open paragraph, if any."""
        if self.para:
            self.blocks.append(Block(_inline(" ".join(self.para))))
            self.para = []

    def feed(self, line: str) -> None:
        """Consume one line of Markdown."""
        stripped = line.strip()
        if self.fence is not None:
            if _FENCE.match(stripped):
                self.blocks.append(Block("\n".join(self.fence)))
                self.fence = None
            else:
                self.fence.append(line.rstrip())
            return
        if _FENCE.match(stripped):
            self.flush()
            self.fence = []
        elif not stripped:
            self.flush()
        else:
            self._feed_content(stripped)

    def _feed_content(self, stripped: str) -> None:
        heading = _ATX.match(stripped)
        if heading:
            self.flush()
            self.blocks.append(
                Block(_inline(heading.group(2)), "heading", len(heading.group(1)))
            )
        elif _SETEXT.match(stripped):
            # Under a paragraph it underlines a heading; alone it is a rule.
            if self.para:
                level = 1 if stripped.startswith("=") else 2
                text = _inline(" ".join(self.para))
                self.blocks.append(Block(text, "heading", level))
                self.para = []
        elif stripped.startswith("|"):
            self.flush()
            if not _TABLE_RULE.match(stripped):
                self.blocks.append(row_block(_table_cells(stripped)))
        elif _LIST_ITEM.match(stripped):
            self.flush()
            self.para = [_LIST_ITEM.sub("", stripped, count=1)]
        else:
            self.para.append(stripped)

    def finish(self) -> list[Block]:
        """Close any open fence or paragraph and return the blocks."""
        if self.fence:
            self.blocks.append(Block("\n".join(self.fence)))
        self.flush()
        return self.blocks


def markdown_blocks(text: str) -> list[Block]:
    """Split Markdown into blocks: ATX/setext headings, paragraphs, list items, rows."""
    parser = _MarkdownParser()
    text = _FRONT_MATTER.sub("", text.replace("\r\n", "\n"), count=1)
    for line in text.split("\n"):
        parser.feed(line)
    return parser.finish()


def read_markdown(path: Path) -> Document:
    """Read a UTF-8 Markdown file; the first heading is the default title."""
    blocks = markdown_blocks(read_text_file(path))
    return assemble(blocks, source=str(path), title=None)
