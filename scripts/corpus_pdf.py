"""Lay out a journal-style article in two columns and write it to the corpus as PDF.

The literature corpus needs one real two-column PDF so that the PDF reader is
tested on reading order (left column before right column), running headers and
page numbers. The article's text lives in ``scripts/corpus_pdf/`` (outside
``corpus/`` so it is not ingested twice); this script lays it out with
pymupdf's Story API:

* page 1 starts with the title block across the full page width;
* the body then flows through two columns, page after page, with a results
  table inside the flow;
* every page gets a running header and a page number at the bottom.

Run from the repository root::

    python scripts/corpus_pdf.py

It writes ``corpus/literature/b-durvalumab-tremelimumab-two-column.pdf`` and
prints the number of pages, which should be 2.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "scripts" / "corpus_pdf" / "b-durvalumab-tremelimumab.html"
OUTPUT = ROOT / "corpus" / "literature" / "b-durvalumab-tremelimumab-two-column.pdf"
TITLE = "Durvalumab plus tremelimumab in previously treated advanced sarcoma"
RUNNING_HEADER = (
    "Somaiah et al. | Lancet Oncol 2022 | Dual checkpoint blockade in sarcoma"
)
COLUMN_MARKER = "<!-- columns -->"

PAGE = pymupdf.paper_rect("a4")
MARGIN = 48.0
GUTTER = 18.0
HEADER_BAND = 22.0
FOOTER_BAND = 26.0

# Body text is 9 pt; section headings are bold and slightly larger, so the PDF
# reader can tell them apart. Table text stays regular (not bold) on purpose.
CSS = """
* {font-family: sans-serif;}
h1 {font-size: 16pt; font-weight: bold; margin: 0 0 6pt 0;}
h2 {font-size: 10.5pt; font-weight: bold; margin: 8pt 0 3pt 0;}
p {font-size: 9pt; line-height: 1.25; margin: 0 0 5pt 0; text-align: justify;}
p.authors {font-style: italic;}
p.journal {font-size: 8pt; margin-bottom: 0;}
p.note, p.ref {font-size: 7.5pt; text-align: left;}
p.furniture {font-size: 7.5pt; text-align: center; margin: 0;}
table {margin: 4pt 0 2pt 0; border-collapse: collapse;}
caption {font-size: 8pt; text-align: left; margin-bottom: 2pt;}
td {font-size: 8pt; padding: 1pt 3pt; border-top: 0.5pt solid #888;}
"""


def split_source(text: str) -> tuple[str, str]:
    """Split the source HTML into the full-width front matter and the body.

    Args:
        text: The whole source file.

    Returns:
        The HTML above the column marker and the HTML below it.

    Raises:
        ValueError: When the marker is missing.
    """
    front, marker, body = text.partition(COLUMN_MARKER)
    if not marker:
        raise ValueError(f"{SOURCE} has no {COLUMN_MARKER!r} line")
    return front, body


def column_rects(top: float) -> list[pymupdf.Rect]:
    """Return the left and right column rectangles below ``top``.

    Args:
        top: The y coordinate where the columns start on this page.

    Returns:
        Two rectangles, left column first.
    """
    bottom = PAGE.height - MARGIN - FOOTER_BAND
    width = (PAGE.width - 2 * MARGIN - GUTTER) / 2
    left = pymupdf.Rect(MARGIN, top, MARGIN + width, bottom)
    right = pymupdf.Rect(left.x1 + GUTTER, top, PAGE.width - MARGIN, bottom)
    return [left, right]


def draw_text(
    device: pymupdf.DeviceWrapper, html: str, rect: pymupdf.Rect
) -> pymupdf.Rect:
    """Lay out a short HTML snippet in ``rect`` and draw it.

    Args:
        device: The page device from the document writer.
        html: The snippet; it must fit into ``rect``.
        rect: Where to place it.

    Returns:
        The part of ``rect`` that the snippet filled.
    """
    story = pymupdf.Story(html, user_css=CSS)
    _, filled = story.place(rect)
    story.draw(device)
    return pymupdf.Rect(filled)


def write_pdf(front: str, body: str, path: Path) -> int:
    """Write the article to ``path``: title block, then two columns per page.

    The running header is drawn first and the page number last on every page,
    so a reader that follows the content stream meets them in that order.

    Args:
        front: HTML of the title block (page 1, full width).
        body: HTML of the text that flows through the columns.
        path: The PDF file to write.

    Returns:
        The number of pages written.
    """
    writer = pymupdf.DocumentWriter(str(path))
    story = pymupdf.Story(body, user_css=CSS)
    pages, more = 0, True
    while more:
        pages += 1
        device = writer.begin_page(PAGE)
        top = MARGIN
        header = pymupdf.Rect(MARGIN, top, PAGE.width - MARGIN, top + HEADER_BAND)
        draw_text(device, f'<p class="furniture">{RUNNING_HEADER}</p>', header)
        top += HEADER_BAND
        if pages == 1:
            block = pymupdf.Rect(MARGIN, top, PAGE.width - MARGIN, PAGE.height / 3)
            top = draw_text(device, front, block).y1 + 10
        for rect in column_rects(top):
            more, _ = story.place(rect)
            story.draw(device)
            if not more:
                break
        y = PAGE.height - MARGIN - FOOTER_BAND / 2
        footer = pymupdf.Rect(MARGIN, y, PAGE.width - MARGIN, PAGE.height - MARGIN)
        draw_text(device, f'<p class="furniture">{pages}</p>', footer)
        writer.end_page()
    writer.close()
    return pages


def set_title(path: Path) -> None:
    """Store the article title in the PDF metadata, rewriting the file.

    Args:
        path: The PDF written by :func:`write_pdf`.
    """
    with pymupdf.open(path) as doc:
        doc.set_metadata({"title": TITLE, "subject": "Sarcoma immunotherapy"})
        data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    path.write_bytes(data)


def main() -> None:
    """Build the two-column PDF from its source text."""
    front, body = split_source(SOURCE.read_text(encoding="utf-8"))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    pages = write_pdf(front, body, OUTPUT)
    set_title(OUTPUT)
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({pages} pages)")


if __name__ == "__main__":
    main()
