"""Reader for JATS articles (.nxml, .xml, as from PMC) and PubMed XML records.

JATS: the article-title is the title and the first paragraph of the text; the
abstract comes under an 'Abstract' heading; nested ``sec``/``title`` become
headings with their depth as level; ``p`` become paragraphs; every ``tr`` of
a ``table-wrap`` becomes a row (``th``/``td`` joined by ' | '); references
(``back``) are left out. PubMed: ArticleTitle is the title, each
AbstractText is a paragraph under a heading named by its Label, if any.

The parser never loads DTDs, resolves entities or touches the network.
"""

from __future__ import annotations

import re
from pathlib import Path

# lxml ships no type information; pyproject.toml's mypy overrides do not list it.
from lxml import etree
from lxml.etree import _Element

from sarcolit.core.errors import IngestError
from sarcolit.core.models import DocKind, Document
from sarcolit.ingest.assemble import Block, assemble, row_block

_NESTED_BLOCKS = frozenset({"table-wrap", "fig", "list", "disp-quote", "boxed-text"})
_SKIPPED = frozenset({"ref-list", "tex-math", "graphic", "inline-graphic", "object-id"})
_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")


def _local(element: _Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: _Element, name: str) -> list[_Element]:
    return [child for child in element if _local(child) == name]


def _find(element: _Element, *path: str) -> _Element | None:
    """Follow child names from ``element``; return None when a step is missing."""
    current: _Element | None = element
    for name in path:
        found = _children(current, name) if current is not None else []
        current = found[0] if found else None
    return current


def _inline_text(element: _Element, skip: frozenset[str] = _NESTED_BLOCKS) -> str:
    """Return the text of ``element`` without nested blocks, spaces collapsed."""
    parts = [element.text or ""]
    for child in element:
        name = _local(child)
        if name and name not in skip and name not in _SKIPPED:
            parts.append(_inline_text(child, skip))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _caption_block(element: _Element) -> Block | None:
    label = _find(element, "label")
    caption = _find(element, "caption")
    texts = [_inline_text(e) for e in (label, caption) if e is not None]
    text = " | ".join(t for t in texts if t)
    return Block(text) if text else None


class _JatsWalker:
    """Collects blocks from a JATS tree."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def walk(self, element: _Element, level: int) -> None:
        """Visit the children of ``element``; ``level`` is the enclosing depth."""
        for child in element:
            name = _local(child)
            if name == "sec":
                self._section(child, level + 1)
            elif name == "p":
                self._paragraph(child, level)
            elif name in ("table-wrap", "fig"):
                self._float(child)
            elif name == "title" or name in _SKIPPED or not name:
                continue  # a section's title is read by _section
            else:
                self.walk(child, level)

    def _section(self, sec: _Element, level: int) -> None:
        title = _find(sec, "title")
        if title is not None:
            self.blocks.append(Block(_inline_text(title), "heading", level))
        self.walk(sec, level)

    def _paragraph(self, p: _Element, level: int) -> None:
        self.blocks.append(Block(_inline_text(p)))
        for child in p:
            if _local(child) in _NESTED_BLOCKS:
                self.walk_one(child, level)

    def walk_one(self, element: _Element, level: int) -> None:
        """Visit a single block element found inside a paragraph."""
        if _local(element) in ("table-wrap", "fig"):
            self._float(element)
        else:
            self.walk(element, level)

    def _float(self, element: _Element) -> None:
        caption = _caption_block(element)
        if caption is not None:
            self.blocks.append(caption)
        for row in element.iter():
            if _local(row) == "tr":
                cells = [_inline_text(c) for c in row if _local(c) in ("th", "td")]
                self.blocks.append(row_block(cells))
        for foot in element.iter():
            if _local(foot) == "table-wrap-foot":
                self.blocks.append(Block(_inline_text(foot, frozenset())))


def _jats_year(meta: _Element | None) -> int | None:
    if meta is None:
        return None
    for date in _children(meta, "pub-date"):
        year = _find(date, "year")
        if year is not None and _YEAR.fullmatch((year.text or "").strip()):
            return int((year.text or "").strip())
    return None


def _jats(root: _Element, path: Path) -> Document:
    meta = _find(root, "front", "article-meta")
    title_el = _find(meta, "title-group", "article-title") if meta is not None else None
    title = _inline_text(title_el) if title_el is not None else None
    walker = _JatsWalker()
    if title:
        walker.blocks.append(Block(title))
    for abstract in _children(meta, "abstract") if meta is not None else []:
        if abstract.get("abstract-type") in ("graphical", "teaser"):
            continue
        walker.blocks.append(Block("Abstract", "heading", 1))
        walker.walk(abstract, 1)
    for part in ("body", "floats-group"):
        element = _find(root, part)
        if element is not None:
            walker.walk(element, 0)
    kind: DocKind = (
        "review" if root.get("article-type") == "review-article" else "article"
    )
    return assemble(
        walker.blocks, source=str(path), title=title, kind=kind, year=_jats_year(meta)
    )


def _pubmed_kind(article: _Element) -> DocKind:
    types = " ".join(
        e.text or "" for e in article.iter() if _local(e) == "PublicationType"
    )
    if "Review" in types:
        return "review"
    return "trial" if "Clinical Trial" in types else "article"


def _pubmed_year(article: _Element) -> int | None:
    date = _find(article, "Journal", "JournalIssue", "PubDate")
    text = " ".join(date.itertext()) if date is not None else ""
    found = _YEAR.search(text)
    return int(found.group(1)) if found else None


def _pubmed(root: _Element, path: Path) -> Document:
    records = (
        [root] if _local(root) == "PubmedArticle" else _children(root, "PubmedArticle")
    )
    if len(records) != 1:
        raise IngestError(
            path,
            f"a PubMed file must hold exactly one <PubmedArticle>, found "
            f"{len(records)}; split the set into one file per article",
        )
    article = _find(records[0], "MedlineCitation", "Article")
    if article is None:
        raise IngestError(path, "PubMed record has no <MedlineCitation><Article>")
    title_el = _find(article, "ArticleTitle")
    title = _inline_text(title_el) if title_el is not None else None
    blocks = [Block(title)] if title else []
    abstract = _find(article, "Abstract")
    for part in _children(abstract, "AbstractText") if abstract is not None else []:
        label = part.get("Label")
        if label:
            blocks.append(Block(label.strip().capitalize(), "heading", 1))
        blocks.append(Block(_inline_text(part)))
    return assemble(
        blocks,
        source=str(path),
        title=title,
        kind=_pubmed_kind(records[0]),
        year=_pubmed_year(article),
    )


def parse_xml(path: Path, data: bytes) -> _Element:
    """Parse XML bytes safely, turning a syntax error into an IngestError."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise IngestError(path, f"malformed XML: {exc}") from exc


def read_jats(path: Path) -> Document:
    """Read a JATS article or a PubMed XML record."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read the file: {exc.strerror}") from exc
    root = parse_xml(path, data)
    name = _local(root)
    if name == "article":
        return _jats(root, path)
    if name in ("PubmedArticleSet", "PubmedArticle"):
        return _pubmed(root, path)
    raise IngestError(
        path, f"XML root <{name}> is neither a JATS <article> nor PubMed XML"
    )
