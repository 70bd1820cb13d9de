"""Reader for HTML articles (.html, .htm): text only, nothing is ever executed.

Scripts, styles, navigation and forms are dropped. Headings h1-h6 keep their
level; paragraphs, list items and other block elements become paragraphs;
every table row becomes a row block with its cells joined by ' | '.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

from sarcolit.core.errors import IngestError
from sarcolit.core.models import Document
from sarcolit.ingest.assemble import Block, assemble, row_block
from sarcolit.ingest.text import read_text_file

_DROPPED = frozenset(
    {
        "script",
        "style",
        "nav",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "form",
        "button",
        "select",
        "head",
    }
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "ul",
    }
)


class _Walker:
    """Collects blocks from a parsed tree; holds the inline text being built."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.inline: list[str] = []

    def flush(self) -> None:
        """Emit the inline text gathered so far as one paragraph."""
        text = " ".join("".join(self.inline).split())
        if text:
            self.blocks.append(Block(text))
        self.inline = []

    def walk(self, node: Tag) -> None:
        """Visit the children of ``node`` in document order."""
        for child in node.children:
            if isinstance(child, Tag):
                self._visit(child)
            elif isinstance(child, NavigableString) and not isinstance(
                child, PreformattedString
            ):
                self.inline.append(str(child))

    def _visit(self, tag: Tag) -> None:
        name = tag.name.lower()
        if name in _DROPPED:
            return
        if name in _HEADINGS:
            self.flush()
            text = tag.get_text(" ", strip=True)
            self.blocks.append(Block(text, "heading", _HEADINGS[name]))
        elif name == "table":
            self.flush()
            self._table(tag)
        elif name == "br":
            self.inline.append(" ")
        elif name in _BLOCKS:
            self.flush()
            self.walk(tag)
            self.flush()
        else:
            self.walk(tag)

    def _table(self, table: Tag) -> None:
        caption = table.find("caption")
        if isinstance(caption, Tag):
            self.blocks.append(Block(caption.get_text(" ", strip=True)))
        for row in table.find_all("tr"):
            if not isinstance(row, Tag) or row.find_parent("table") is not table:
                continue  # rows of a nested table are read as part of its cell
            cells = [
                cell.get_text(" ", strip=True)
                for cell in row.find_all(["th", "td"], recursive=False)
                if isinstance(cell, Tag)
            ]
            if any(cells):
                self.blocks.append(row_block(cells))


def html_blocks(markup: str) -> tuple[str | None, list[Block]]:
    """Parse HTML markup; return its <title> (or None) and its blocks."""
    soup = BeautifulSoup(markup, "lxml")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if isinstance(title_tag, Tag) else None
    root = soup.find("body")
    walker = _Walker()
    walker.walk(root if isinstance(root, Tag) else soup)
    walker.flush()
    return title or None, walker.blocks


def read_html(path: Path) -> Document:
    """Read a UTF-8 HTML file; the <title> is the title, else the first heading."""
    try:
        title, blocks = html_blocks(read_text_file(path))
    except RecursionError as exc:
        raise IngestError(path, "HTML is nested too deeply to read") from exc
    return assemble(blocks, source=str(path), title=title)
