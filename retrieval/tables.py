"""Table rows as answers: find a row's header, and read the row by it.

A flattened table keeps one row per line, cells joined by ' | '. A row alone says
"SARC028, bone cohort | Pembrolizumab | ... | 40 | 2 | 5 | 8 wk (7-9)"; read by its
header it says "SARC028, bone cohort: ORR 5%; median PFS 8 wk (7-9)".
"""

from __future__ import annotations

import re

from sarcolit.core.models import Chunk
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval.facts import endpoints_in
from sarcolit.retrieval.index import HybridIndex

CELLS = " | "
_HEADER_LOOKBACK = 4
"""Chunks before a row searched for its header."""
_UNIT_IN_HEADER = re.compile(r"\s*[(,]\s*(%|n)\s*\)?\s*$|\s*\((%)\)", re.IGNORECASE)


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


def _label(header: str) -> tuple[str, str]:
    """Return a column's label and unit: 'ORR (%)' -> ('ORR', '%')."""
    match = _UNIT_IN_HEADER.search(header)
    if match is None:
        return header, ""
    unit = (match.group(1) or match.group(2) or "").strip()
    return header[: match.start()].strip(" ,"), unit if unit == "%" else ""


_FOOTNOTE = re.compile(r"\s*\([a-z]\)$|(?<=\d)[a-z]$")
_UNIT_WORDS = {"mo": "months", "wk": "weeks", "yr": "years", "NR": "not reached"}
_ABBREVIATED_UNIT = re.compile(r"\b(mo|wk|yr|NR)\b")


def _value(cell: str, unit: str) -> str:
    """Return a cell as read: footnote marks dropped, units written out."""
    value = _FOOTNOTE.sub("", cell).strip()
    value = _ABBREVIATED_UNIT.sub(lambda m: _UNIT_WORDS[m.group(1)], value)
    if unit == "%" and re.fullmatch(r"\d+(?:\.\d+)?", value):
        return f"{value}%"
    return value


def read_row(
    row: str, header: str, endpoints: frozenset[str], vocabulary: Vocabulary
) -> str:
    """Return a row as a sentence, naming each cell by its column.

    With ``endpoints``, only the row's label and the columns that name one of
    them are kept ("SARC028, bone cohort: ORR 5%"); otherwise every cell is.
    """
    values, names = cells(row), cells(header)
    if len(values) != len(names):
        return row
    parts = []
    for name, value in zip(names[1:], values[1:], strict=True):
        if not value or value in {"-", "\u2014"}:
            continue
        if endpoints and not endpoints & endpoints_in(name, vocabulary):
            continue
        label, unit = _label(name)
        parts.append(f"{label} {_value(value, unit)}")
    if not parts:
        return row
    return f"{values[0]}: {'; '.join(parts)}"
