"""Results tables: a cell's meaning comes from its column header and its row.

Rows are paragraphs whose cells are joined by ' | ' (every reader writes table
rows so). The first row of a table is its header. A header cell gives its
column's endpoint, unit and time point ('ORR (%)', 'Median PFS, mo (95% CI)',
'6-month PFS rate (%)'); a count column ('N', 'Patients, n', 'N evaluable')
holds numbers of patients, and a 'Responders' column holds neither: a count
column is never read as a rate. A cell may give its own unit ('18 wk (8-21)',
'3 mo') or be free text read like a sentence ('ORR 13%; 6-month PFS 52%').

A row's first cell names its group ('All patients' is the trial, 'Synovial
sarcoma' a cohort, 'Alliance A091401, nivolumab arm' an arm). In a table of
several trials each row names its trial (NCT id, trial name, regimen) and
becomes that trial's; rows of one trial that report different groups are one
record, two rows that both report a whole trial are two reports. A table
whose rows are endpoints ('Endpoint | Result') reads the other way round, and
a table of adverse events is not a results table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sarcolit.core.models import CountName, PhaseName
from sarcolit.core.vocabulary import Mention
from sarcolit.extraction.binding import bind
from sarcolit.extraction.bound import Bound, Scope
from sarcolit.extraction.counts import Count
from sarcolit.extraction.facts import Sentence, Tagged, analyse, phases
from sarcolit.extraction.group_phrases import headed_groups
from sarcolit.extraction.groups import TRIAL, GroupRef, classify
from sarcolit.extraction.keywords import keywords
from sarcolit.extraction.mentions import NO_ENDPOINT, Finder
from sarcolit.extraction.numbers import NUM, interval_at
from sarcolit.extraction.values import Number, Timepoint, timepoints, unit_key

Span = tuple[int, int]
_CELL = re.compile(r"[^|]+")
_UNIT = re.compile(r"(?i)(?:\(|,\s*)(%|months?|mo|weeks?|wk|days?|years?|n)\b\)?|(%)")
_COUNT_HEADER = re.compile(
    r"(?i)^\W*(?:(?:no\.\s+of\s+)?(?:[\w-]+\s+)?patients|n|number|enrolled|"
    r"evaluable|treated|participants)\b(?:[\s,(]*(?:n|treated|evaluable|enrolled|"
    r"assessed)\)?)*\s*$|^\W*n\s+(?:evaluable|treated|enrolled)\b"
)
_RESPONDERS = re.compile(r"(?i)^\W*(?:responders|responses)\b")
_OVERALL = re.compile(
    r"(?i)^\W*(?:overall|all(?:\s+\w+)?\s+patients|all|total|whole\s+cohort|"
    r"both\s+histologies|either\s+histology)\b"
)
_CELL_VALUE = re.compile(
    rf"\s*({NUM})[a-c]?\s*(%)?\s*(?:(?i:(months?|mo|weeks?|wk))\b)?(?:\s*\([a-c]\))?"
)
_NOT_A_COUNT = re.compile(
    r"(?i)\s*\d+\s+(?:[\w-]+\s+)?(?:groups?|cohorts?|arms?|sites?)"
)
_NAME_CELL = re.compile(r"([A-Z][\w-]*[A-Z0-9][\w-]*)(?=\s*(?:\(|$|,))")
_PHASE_CELL = re.compile(
    r"(?i)\s*(I{1,3}|[1-3])\s*([ab])?(?:\s*/\s*(I{1,3}|[1-3]))?\s*$"
)
_ROMAN = {"1": "I", "2": "II", "3": "III", "I": "I", "II": "II", "III": "III"}


@dataclass(frozen=True, slots=True)
class Column:
    """What the cells of one table column hold."""

    family: str = ""
    unit: str = ""
    original_unit: str = ""
    count: CountName | None = None
    timepoint: Timepoint | None = None
    phase: bool = False
    free: bool = False
    """Free text read like a sentence ('ORR 13%; median PFS 8.3 mo')."""
    group: GroupRef | None = None
    """A group the header names ('ASPS patients, n')."""
    stated: bool = False
    """The header states the unit ('ORR (%)'), not only the endpoint ('CR')."""


def cells(text: str, row: Sentence) -> list[Span]:
    """Return the spans of the non-empty cells of a row."""
    spans = []
    for match in _CELL.finditer(text, row.start, row.end):
        piece = match.group()
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((match.start() + lead, match.start() + len(piece.rstrip())))
    return spans


def _count_kind(cell: str) -> CountName:
    lowered = cell.lower()
    if "evaluable" in lowered or "assessed" in lowered:
        return "n_evaluable"
    return "n_treated" if "treated" in lowered else "n_enrolled"


def _header_group(text: str, span: Span, find: Finder) -> GroupRef | None:
    subtypes = find.subtypes(text, *span)
    if len(subtypes) == 1:
        return GroupRef(*span, "cohort", subtypes[0].value, (subtypes[0].value,))
    return None


def column(text: str, span: Span, find: Finder) -> Column:
    """Return what a header cell says its column holds."""
    cell = text[span[0] : span[1]]
    if re.match(r"(?i)^\W*phase\W*$", cell):
        return Column(phase=True)
    group = _header_group(text, span, find)
    if _RESPONDERS.match(cell):
        return Column()
    found = keywords(text, *span, find)
    if any(k.family == NO_ENDPOINT for k in found):
        return Column()
    if not found:
        stripped = re.sub(r"(?i)\b(?:ASPS|UPS|STS)\b", "", cell)
        if _COUNT_HEADER.match(stripped.strip(" ,")):
            return Column(count=_count_kind(cell), group=group)
        if re.search(r"(?i)\b(?:result|efficacy|outcome|signal)s?\b", cell):
            return Column(free=True, group=group)
        return Column()
    unit_match = _UNIT.search(cell)
    unit_text = (unit_match.group(1) or unit_match.group(2)) if unit_match else ""
    family = found[0].family
    point = next(iter(timepoints(text, *span)), None)
    if (
        unit_text in ("", "n")
        and family in ("PFS", "OS", "DOR")
        and re.search(r"(?i)median", cell)
    ):
        return Column(family, "months", "", timepoint=point, group=group)
    if unit_text in ("%", "", "n"):
        stated = unit_text == "%"
        return Column(family, "%", "%", timepoint=point, group=group, stated=stated)
    unit = unit_key(unit_text)
    return Column(family, "months", unit + "s", timepoint=point, group=group)


_CAPTION = re.compile(r"(?i)\s*(?:table|figure|fig\.?)\s*\d+\s*\|")


def split_tables(text: str, rows: list[Sentence]) -> list[list[Sentence]]:
    """Group consecutive rows into tables; a caption ('Table 2 | ...') is not a row."""
    tables: list[list[Sentence]] = []
    for row in rows:
        if re.fullmatch(r"[\s|:-]+", text[row.start : row.end]):
            continue
        if _CAPTION.match(text, row.start, row.end):
            continue
        if tables and not text[tables[-1][-1].end : row.start].strip(" \n|:-"):
            tables[-1].append(row)
        else:
            tables.append([row])
    return [t for t in tables if len(t) >= 2]


def cell_number(text: str, span: Span, col: Column, find: Finder) -> Number | None:
    """Return the number in a value cell, with the unit its cell or header gives."""
    match = _CELL_VALUE.match(text, *span)
    if match is None:
        return None
    value = float(match.group(1))
    unit, original = col.unit, col.original_unit
    if match.group(3):
        unit, original = "months", unit_key(match.group(3)) + "s"
    elif match.group(2):
        unit, original = "%", "%"
    elif find.compatible(col.family, "patients") and not col.stated:
        unit, original = "patients", "patients"
    if unit == "months" and not original:
        return None  # a median with no unit in the header or the cell
    interval = interval_at(text, match.end(1) + (1 if match.group(2) else 0), span[1])
    ci = None
    if interval and interval.low is not None and interval.high is not None:
        ci = (interval.low, interval.high)
    end = match.end(2) if match.group(2) else match.end(1)
    return Number(match.start(1), end, value, unit, original, "=", ci, end)


def row_number(text: str, span: Span) -> int | None:
    """A count cell: '40', '52a', '50 assessed', '24 at phase 2 dose'."""
    if _NOT_A_COUNT.match(text, *span):
        return None
    match = re.match(r"\s*(\d+)(?![\d.])", text[span[0] : span[1]])
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def phase_cell(text: str, span: Span) -> list[Tagged]:
    """Return the phase a Phase cell states ('II', 'Ib/II', 'Phase 2, ...')."""
    found = phases(text, *span)
    if found:
        return found[:1]
    match = _PHASE_CELL.match(text, *span)
    if match is None:
        return []
    first, second = (
        _ROMAN[match.group(1).upper()],
        _ROMAN.get((match.group(3) or "").upper(), ""),
    )
    value: PhaseName = "I/II" if {first, second} == {"I", "II"} else first  # type: ignore[assignment]
    return [Tagged(span[0], span[1], value)]


def cell_value(
    number: Number, col: Column, group: GroupRef, find: Finder
) -> Bound | None:
    """Bind a cell's number to its column's endpoint (None if it has none)."""
    endpoint = find.endpoint_of(col.family, number.unit)
    if endpoint is None:
        return None
    point = col.timepoint if endpoint in ("PFS_rate", "OS_rate") else None
    if endpoint in ("PFS_rate", "OS_rate") and point is None:
        return None
    return Bound(number, col.family, endpoint, point, group)


def free_cell(
    text: str,
    span: Span,
    group: GroupRef,
    population: frozenset[str],
    find: Finder,
) -> tuple[list[Bound], list[Count]]:
    """Read a free-text cell ('ORR 13%; median PFS 8.3 mo') like a sentence."""
    sentence = analyse(text, *span, find)
    binding = bind(
        text, sentence, Scope(find=find, population=population, default=group)
    )
    return binding.values, binding.counts


def identity(
    text: str, spans: list[Span], find: Finder
) -> tuple[list[Mention], list[Mention], list[Mention]]:
    """Return the NCT ids, trial names and agents a row's text cells name."""
    ncts: list[Mention] = []
    names: list[Mention] = []
    agents: list[Mention] = []
    for span in spans:
        ncts += find.nct_ids(text, *span)
        names += find.trial_names(text, *span)
        agents += find.agents(text, *span)
    first = _NAME_CELL.match(text, *spans[0]) if spans else None
    if (
        first
        and not find.agents(text, *first.span(1))
        and not find.subtypes(text, *first.span(1))
        and not find.nct_ids(text, *first.span(1))
    ):
        names.append(Mention(first.start(1), first.end(1), first.group(1), "trial"))
    return ncts, names, agents


def population_of(text: str, spans: list[Span], find: Finder) -> list[Mention]:
    """Return the subtypes a row's descriptive cells name (its population)."""
    found: list[Mention] = []
    for span in spans:
        found += find.subtypes(text, *span)
    return found


def row_label(text: str, span: Span, find: Finder) -> GroupRef:
    """Return the group a row's first cell names: the trial, an arm or a cohort."""
    cell = text[span[0] : span[1]]
    if _OVERALL.match(cell):
        return TRIAL
    for part in re.finditer(r"[^,]+", cell):
        piece = (span[0] + part.start(), span[0] + part.end())
        headed = [refs[0] for refs in headed_groups(text, *piece, find)]
        if headed:
            return replace(headed[0], labelled=True)
    named = find.nct_ids(text, *span) or find.trial_names(text, *span)
    subtypes = find.subtypes(text, *span)
    if named and not subtypes:
        return TRIAL
    if named:
        first = subtypes[0]
        return GroupRef(first.start, first.end, "cohort", first.value, (first.value,))
    if find.agents(text, *span) or (_NAME_CELL.fullmatch(text, *span) and not subtypes):
        return TRIAL  # a regimen or a trial name names the trial, not a group
    group = classify(text, *span, find)
    return TRIAL if group.unknown else group
