"""Results tables: rows joined by ' | ', a header naming endpoints and units.

A header cell such as 'ORR (%)', 'Median PFS (weeks)' or '12-week PFS (%)' gives
a column's endpoint, unit and time point; the first cell of each data row names
the group: 'Overall'/'All patients' is the trial, agents make an arm, a
subtype makes a cohort.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sarcolit.core.models import CountName
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.extraction.binding import Bound, Group, endpoint_of
from sarcolit.extraction.facts import Sentence
from sarcolit.extraction.values import (
    NO_ENDPOINT,
    NUM,
    Count,
    Number,
    Timepoint,
    keywords,
    timepoints,
    unit_key,
)

_CELL = re.compile(r"[^|]+")
_SEPARATOR = re.compile(r"^[\s|:-]+$")
_CELL_NUMBER = re.compile(
    rf"\s*({NUM})\s*(%)?\s*(?:\(\s*({NUM})\s*(?:-|to|,)\s*({NUM})\s*\))?"
)
_UNIT = re.compile(r"(?i)\((%|months?|weeks?|days?|years?|n)\)|(%)")
_COUNT_HEADER = re.compile(
    r"(?i)^\W*(?:n|patients|no\. of patients|enrolled|evaluable|treated)\b"
)
_OVERALL = re.compile(r"(?i)^\W*(?:overall|all(?: patients)?|total|whole cohort)\b")

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Column:
    """What the cells of one table column hold."""

    family: str = ""
    unit: str = ""
    original_unit: str = ""
    count: CountName | None = None
    timepoint: Timepoint | None = None


def _cells(text: str, row: Sentence) -> list[Span]:
    spans = []
    for match in _CELL.finditer(text, row.start, row.end):
        piece = match.group()
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((match.start() + lead, match.start() + len(piece.rstrip())))
    return spans


def _count_kind(cell: str) -> CountName:
    lowered = cell.lower()
    if "evaluable" in lowered:
        return "n_evaluable"
    return "n_treated" if "treated" in lowered else "n_enrolled"


def _column(text: str, span: Span, vocab: Vocabulary) -> Column:
    cell = text[span[0] : span[1]]
    found = [k for k in keywords(text, *span, vocab) if k.family != NO_ENDPOINT]
    if not found:
        return (
            Column(count=_count_kind(cell)) if _COUNT_HEADER.match(cell) else Column()
        )
    unit_match = _UNIT.search(cell)
    unit_text = (unit_match.group(1) or unit_match.group(2)) if unit_match else ""
    family = found[0].family
    if (
        unit_text in ("", "n")
        and "months" in vocab.endpoint_values(family)
        and "median" in cell.lower()
    ):
        unit_text = "months"
    if unit_text in ("%", ""):
        return Column(family, "%", "%", timepoint=_first(timepoints(text, *span)))
    unit = unit_key(unit_text)
    return Column(
        family, "months", unit + "s", timepoint=_first(timepoints(text, *span))
    )


def _first(found: list[Timepoint]) -> Timepoint | None:
    return found[0] if found else None


def _group(
    text: str, span: Span, all_agents: frozenset[str], vocab: Vocabulary
) -> Group:
    label = text[span[0] : span[1]]
    if _OVERALL.match(label):
        return Group()
    agents = tuple(vocab.find_agents(text, *span))
    names = {a.value for a in agents}
    if agents:
        full = names == all_agents
        return Group("arm", "" if full else " + ".join(sorted(names)), None, agents)
    subtypes = vocab.find_subtypes(text, *span)
    if len(subtypes) == 1:
        return Group("cohort", subtypes[0].value, subtypes[0].value)
    return Group("cohort", label.strip())


def _tables(text: str, rows: list[Sentence]) -> list[list[Sentence]]:
    tables: list[list[Sentence]] = []
    for row in rows:
        if _SEPARATOR.match(text[row.start : row.end]):
            continue
        if tables and not text[tables[-1][-1].end : row.start].strip(" \n|:-"):
            tables[-1].append(row)
        else:
            tables.append([row])
    return tables


def _value(text: str, span: Span, column: Column) -> Number | None:
    match = _CELL_NUMBER.match(text, *span)
    if match is None:
        return None
    ci = (float(match.group(3)), float(match.group(4))) if match.group(3) else None
    end = match.end(2) if match.group(2) else match.end(1)
    value = float(match.group(1))
    return Number(
        match.start(1), end, value, column.unit, column.original_unit, "=", ci
    )


def table_values(
    text: str, rows: list[Sentence], all_agents: frozenset[str], vocab: Vocabulary
) -> tuple[list[tuple[Bound, Span]], list[tuple[Count, Group, Span]]]:
    """Return the endpoint values and patient counts of the tables in ``rows``."""
    values: list[tuple[Bound, Span]] = []
    counts: list[tuple[Count, Group, Span]] = []
    for table in _tables(text, rows):
        columns = [_column(text, span, vocab) for span in _cells(text, table[0])]
        if not any(c.family for c in columns):
            continue
        for row in table[1:]:
            cells = _cells(text, row)
            if not cells:
                continue
            group = _group(text, cells[0], all_agents, vocab)
            row_span = (row.start, row.end)
            for column, span in zip(columns[1:], cells[1:], strict=False):
                cell = _cell(text, span, column, group, vocab)
                if isinstance(cell, Bound):
                    values.append((cell, row_span))
                elif cell is not None:
                    counts.append((cell, group, row_span))
    return values, counts


def _cell(
    text: str, span: Span, column: Column, group: Group, vocab: Vocabulary
) -> Bound | Count | None:
    if column.count is not None:
        match = _CELL_NUMBER.match(text, *span)
        if match and "." not in match.group(1) and int(match.group(1)) > 0:
            value = int(match.group(1))
            return Count(match.start(1), match.end(1), value, column.count)
        return None
    number = _value(text, span, column) if column.family else None
    endpoint = endpoint_of(column.family, column.unit, vocab) if number else None
    if number is None or endpoint is None:
        return None
    return Bound(number, column.family, endpoint, column.timepoint, group)
