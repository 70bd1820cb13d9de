"""Generate the sample trial PDF in corpus/trials: ``python scripts/sample_pdf.py``.

The text is a synthetic summary restating facts from the seed review (its
provenance is in the .meta.json beside it, not in the text, so it is never
cited as evidence); the PDF has two pages so that page offsets are exercised.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pymupdf

# pymupdf's annotations are partial (untyped constructors), so it is used as Any.
_pdf: Any = pymupdf

PDF_NAME = "anlotinib-tqb2450.pdf"
TITLE = "Anlotinib plus the PD-L1 antibody TQB2450 in metastatic soft-tissue sarcoma"
PAGES: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("h", TITLE),
        ("h", "Background"),
        (
            "p",
            "Anlotinib is a multi-kinase inhibitor of angiogenesis. TQB2450 "
            "(benmelstobart) is a novel antibody against PD-L1.",
        ),
        ("h", "Methods"),
        (
            "p",
            "This trial combined anlotinib with TQB2450 in patients with "
            "metastatic soft-tissue sarcoma that had not responded to chemotherapy.",
        ),
    ),
    (
        ("h", "Results"),
        (
            "p",
            "Among the 30 enrolled patients, the ORR was 36.7% and the median PFS "
            "was 7.8 months. In an expanded ASPS cohort, the combination gave an "
            "ORR of 79.3%, including 3 CR and 20 PR.",
        ),
        ("h", "Conclusions"),
        (
            "p",
            "Anlotinib with TQB2450 was active in metastatic soft-tissue sarcoma, "
            "and tertiary lymphoid structures may predict benefit in ASPS.",
        ),
    ),
)


def write_pdf(path: Path) -> Path:
    """Write the sample trial report as a two-page PDF to ``path``."""
    document = _pdf.open()
    for blocks in PAGES:
        page = document.new_page()
        y = 72.0
        for kind, text in blocks:
            size = 15 if kind == "h" else 11
            box = _pdf.Rect(72, y, page.rect.width - 72, page.rect.height - 72)
            left = page.insert_textbox(box, text, fontsize=size, fontname="helv")
            y = page.rect.height - 72 - left + 14
    document.set_metadata({"title": TITLE})
    document.save(str(path), garbage=3, deflate=True, no_new_id=True)
    document.close()
    return path


if __name__ == "__main__":
    target = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus/trials") / PDF_NAME
    )
    write_pdf(target)
