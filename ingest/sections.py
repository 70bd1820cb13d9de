"""Inline headings of structured abstracts become sections, text unchanged.

Structured abstracts often run their headings into the paragraph: "Results
Seventy-six patients were ...", "RESULTS: ...", "Findings From March ...", or
several in one paragraph ("... Methods This single-centre ..."). Such a label
opens a section at the label itself; the text keeps every character, so the
section is a span like any other and its label stays in the first chunk. An
inline section nests under the section that holds it ('Summary > Findings').
"""

from __future__ import annotations

import itertools
import re

from sarcolit.core.models import Document, Section

# Labels of structured abstracts (IMRaD, Lancet, JAMA, ASCO and ESMO styles),
# longest first so "Conclusions and Relevance" wins over "Conclusions".
_LABELS = sorted(
    [
        "Background",
        "Introduction",
        "Importance",
        "Purpose",
        "Aim",
        "Aims",
        "Objective",
        "Objectives",
        "Methods",
        "Patients and methods",
        "Patients and Methods",
        "Materials and methods",
        "Materials and Methods",
        "Experimental Design",
        "Design",
        "Design, Setting, and Participants",
        "Setting",
        "Participants",
        "Interventions",
        "Intervention",
        "Exposures",
        "Main Outcomes and Measures",
        "Main Outcome and Measures",
        "Results",
        "Findings",
        "Conclusion",
        "Conclusions",
        "Conclusions and Relevance",
        "Interpretation",
        "Funding",
        "Trial Registration",
        "Trial registration",
        "Trial registration number",
        "Clinical trial information",
        "Clinical trial identification",
        "Research Funding",
        "Question",
        "Meaning",
    ],
    key=len,
    reverse=True,
)
_LABEL = "|".join(re.escape(label) for label in _LABELS)
_UPPER_LABEL = "|".join(re.escape(label.upper()) for label in _LABELS)
# A label at the start of a line or after a sentence end, then a colon, a dash
# or a capitalised word or number: "Results: ...", "RESULTS ...", "Findings From".
_INLINE = re.compile(
    rf"(?:^|(?<=[.!?)\]] ))(?P<label>{_LABEL}|{_UPPER_LABEL})"
    r"(?:\s*[:.-]\s+|\s+(?=[A-Z0-9]))",
    re.MULTILINE,
)


def _label(match: re.Match[str]) -> str:
    label = match.group("label")
    return label.capitalize() if label.isupper() else label


def _label_starts(doc: Document) -> list[tuple[int, str]]:
    """Return (offset, label) of each inline label that starts a paragraph part."""
    headings = [
        (s.start, s.start + len(heading_line(doc.text, s))) for s in doc.sections
    ]
    found = []
    first_line = doc.text.find("\n")
    for match in _INLINE.finditer(doc.text):
        start = match.start("label")
        if start < first_line:
            continue  # the title line ("Objective Response Rate Among ...")
        if any(a <= start < b for a, b in headings):
            continue  # in a heading line: see _outer_sections
        line_end = doc.text.find("\n", start)
        line = doc.text[start : len(doc.text) if line_end < 0 else line_end]
        if " | " in line:
            continue  # a table row, not prose
        found.append((start, _label(match)))
    return found


def _outer_sections(doc: Document) -> list[tuple[int, int, str]]:
    """Return the reader's sections, relabelling labelled paragraphs.

    A heading line that opens with a label and goes on ("Research Funding:
    Adaptimmune") is a labelled paragraph, not a title.
    """
    outer = []
    for section in doc.sections:
        path = section.path
        match = _INLINE.match(heading_line(doc.text, section))
        if match is not None:
            parent = path.rsplit(" > ", 1)[0] if " > " in path else ""
            path = _join(parent, _label(match))
        outer.append((section.start, section.end, path))
    return outer


def with_inline_sections(doc: Document) -> Document:
    """Return ``doc`` with its inline abstract headings as (nested) sections."""
    labels = _label_starts(doc)
    outer = _outer_sections(doc)
    if not labels and outer == [(s.start, s.end, s.path) for s in doc.sections]:
        return doc
    sections: list[Section] = []
    for start, end, path in _pieces(outer, len(doc.text)):
        inside = [(o, label) for o, label in labels if start <= o < end]
        cuts = [start, *(o for o, _ in inside), end]
        names = [path, *(_join(path, label) for _, label in inside)]
        for (a, b), name in zip(itertools.pairwise(cuts), names, strict=True):
            if b > a and name and doc.text[a:b].strip():
                sections.append(Section(path=name, start=a, end=b))
    return doc.model_copy(update={"sections": tuple(sections)})


def _join(path: str, label: str) -> str:
    return f"{path} > {label}" if path else label


def _pieces(
    outer: list[tuple[int, int, str]], length: int
) -> list[tuple[int, int, str]]:
    """Return the document cut into its sections and the unsectioned gaps ('')."""
    pieces: list[tuple[int, int, str]] = []
    position = 0
    for start, end, path in outer:
        if position < start:
            pieces.append((position, start, ""))
        pieces.append((start, end, path))
        position = end
    if position < length:
        pieces.append((position, length, ""))
    return pieces


def heading_line(text: str, section: Section) -> str:
    """Return the heading line a section opens with ('' when its label is inline)."""
    newline = text.find("\n", section.start, section.end)
    first = text[section.start : section.end if newline < 0 else newline]
    return first if first == section.path.split(" > ")[-1] else ""


def label_length(text: str) -> int:
    """Return the length of an abstract label opening ``text`` ("Results: "), or 0."""
    match = _INLINE.match(text)
    return match.end() if match is not None else 0
