"""Table rows as answers: find a row's header, and read the row by it.

A flattened table keeps one row per line, cells joined by ' | '. A row alone says
"SARC028, bone cohort | Pembrolizumab | ... | 40 | 2 | 5 | 8 wk (7-9)"; read by its
header it says "SARC028, bone cohort: ORR 5%; median PFS 8 wk (7-9)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sarcolit.core.models import Chunk
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval.facts import endpoints_in
from sarcolit.retrieval.index import HybridIndex

CELLS = " | "
_HEADER_LOOKBACK = 4
"""Chunks before a row searched for its header."""


def cells(row: str) -> list[str]:
    """Return the cells of a row, stripped."""
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def table_header(chunk: Chunk, start: int, index: HybridIndex) -> str:
    """Return the header of the row at ``start`` of ``chunk``: its table's first row.

    A table is a run of rows of the same width; its first row names the columns.
    Returns the row itself when it is the header, and '' when the run cannot be
    followed back far enough.
    """
    row = _line_at(chunk.text, start).strip()
    width = len(cells(row))
    top = row
    text = chunk.text[:start]
    current: Chunk | None = chunk
    for _ in range(_HEADER_LOOKBACK):
        for line in reversed([x for x in text.split("\n") if x.strip()]):
            if CELLS not in line or len(cells(line)) != width:
                return top
            top = line.strip()
        current = index.chunk_before(current) if current is not None else None
        if current is None:
            return top
        text = current.text
    return ""


def _line_at(text: str, start: int) -> str:
    end = text.find("\n", start)
    return text[start : len(text) if end < 0 else end]


_UNIT = re.compile(
    r"(?:,\s*|\(\s*)(%|months?|mo|weeks?|wk|years?|n)\s*\)?(?=\s*(?:\(|,|$))",
    re.IGNORECASE,
)
_CI_NOTE = re.compile(r"\s*\(\s*\d{2}\s*%\s*CI\s*\)", re.IGNORECASE)
_UNIT_NAMES = {"mo": "months", "month": "months", "wk": "weeks", "week": "weeks"}
_FOOTNOTE = re.compile(r"\s*\([a-z]\)$|(?<=\d)[a-z]$")
_UNIT_WORDS = {"mo": "months", "wk": "weeks", "yr": "years", "NR": "not reached"}
_ABBREVIATED_UNIT = re.compile(r"\b(mo|wk|yr|NR)\b")
_LEADING_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(?![\d.%]|\s*(?:months?|weeks?|mo|wk))")


@dataclass(frozen=True)
class Cell:
    """One cell of a row, with the label and unit of its column."""

    label: str
    unit: str
    """'%', 'months', 'weeks', 'n' or ''."""
    value: str

    def read(self) -> str:
        """Return the cell as read: 'ORR 37% (24-51)', 'Median PFS 3 months (2-5)'."""
        value = _FOOTNOTE.sub("", self.value).strip()
        value = _ABBREVIATED_UNIT.sub(lambda m: _UNIT_WORDS[m.group(1)], value)
        if self.unit == "%":
            value = _LEADING_NUMBER.sub(r"\1%", value)
        elif self.unit in ("months", "weeks"):
            value = _LEADING_NUMBER.sub(rf"\1 {self.unit}", value)
        return f"{self.label} {value}"


def label_and_unit(name: str) -> tuple[str, str]:
    """Return a column's label and unit: 'ORR, % (95% CI)' -> ('ORR', '%')."""
    name = _CI_NOTE.sub("", name).strip()
    match = _UNIT.search(name)
    if match is None:
        return name, ""
    unit = match.group(1).lower()
    unit = "%" if unit == "%" else _UNIT_NAMES.get(unit, unit)
    label = (name[: match.start()] + name[match.end() :]).strip(" ,")
    return label, unit


def row_cells(row: str, header: str) -> tuple[str, list[Cell]]:
    """Return a row's label and its cells named by their columns.

    A two-column row whose first cell names what is measured ("Overall response
    rate, % (95% CI) | 43.2 (28.4, 59.0)") is one cell named by itself.
    """
    values = cells(row)
    names = cells(header) if header else []
    if len(values) == 2 and (not names or label_and_unit(values[0])[1]):
        label, unit = label_and_unit(values[0])
        return "", [Cell(label, unit, values[1])]
    if len(values) != len(names):
        return values[0], [Cell("", "", v) for v in values[1:]]
    found = []
    for name, value in zip(names[1:], values[1:], strict=True):
        if value and value not in {"-", "\u2014", "NA", "n/a"}:
            label, unit = label_and_unit(name)
            found.append(Cell(label, unit, value))
    return values[0], found


def relevant(
    found: list[Cell],
    endpoints: frozenset[str],
    words: frozenset[str],
    vocabulary: Vocabulary,
) -> list[Cell]:
    """Return the cells a question asks about: its endpoints, or its words."""
    by_endpoint = [
        c for c in found if endpoints and endpoints & endpoints_in(c.label, vocabulary)
    ]
    if by_endpoint:
        return by_endpoint
    low = [(c, c.label.lower()) for c in found]
    return [c for c, label in low if any(w in label for w in words)]


def read_row(
    row: str,
    header: str,
    vocabulary: Vocabulary,
    endpoints: frozenset[str] = frozenset(),
    words: frozenset[str] = frozenset(),
) -> str:
    """Return a row as a sentence, naming each cell by its column.

    With ``endpoints`` or ``words``, only the row's label and the cells asked
    about are kept ("SARC028, bone cohort: ORR 5%"); otherwise every cell is.
    """
    label, found = row_cells(row, header)
    chosen = relevant(found, endpoints, words, vocabulary) or found
    parts = "; ".join(c.read() for c in chosen if c.label or not label)
    if not parts:
        return row
    return f"{label}: {parts}" if label else parts
