"""Rows of results tables: which trial each row reports, and its values.

See :mod:`tables` for what a header cell says about its column. In a table of
several trials each row names its trial (NCT id, trial name, regimen) and
becomes that trial's; rows of one trial that report different groups are one
record, two rows that both report a whole trial are two reports. In a
single-trial text a row that names another trial ('Durvalumab +
tremelimumab' in a summary of a toripalimab trial) is that trial's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sarcolit.core.models import Document
from sarcolit.core.vocabulary import Mention
from sarcolit.extraction.bound import Bound
from sarcolit.extraction.contexts import Context, add_tags, add_unique
from sarcolit.extraction.counts import Count
from sarcolit.extraction.facts import Sentence, Tagged
from sarcolit.extraction.groups import TRIAL, GroupRef, classify
from sarcolit.extraction.mentions import Finder
from sarcolit.extraction.tables import (
    Column,
    Span,
    cell_number,
    cell_value,
    cells,
    column,
    free_cell,
    identity,
    phase_cell,
    population_of,
    row_label,
    row_number,
    split_tables,
)

_EVENT_TABLE = re.compile(r"(?i)^\W*(?:adverse\s+events?|events?|toxicit\w+|ae)\b")
_TRANSPOSED = re.compile(r"(?i)^\W*(?:endpoints?|outcomes?|measures?|efficacy)\W*$")


@dataclass
class Row:
    """What one row says: its trial's identity, its group and its values."""

    row: Sentence
    label: GroupRef
    ncts: list[Mention]
    names: list[Mention]
    agents: list[Mention]
    phases: list[Tagged]
    population: list[Mention]
    values: list[Bound]
    counts: list[Count]
    whole: bool
    """The row reports a whole trial (no arm or cohort)."""


def _read_cell(
    text: str,
    parsed: Row,
    col: Column,
    span: Span,
    group: GroupRef,
    population: frozenset[str],
    find: Finder,
) -> None:
    if col.phase:
        parsed.phases += phase_cell(text, span)
    elif col.count is not None:
        value = row_number(text, span)
        if value is not None:
            parsed.counts.append(Count(span[0], span[1], value, col.count, group))
    elif col.free:
        values, counts = free_cell(text, span, group, population, find)
        parsed.values += values
        parsed.counts += counts
    elif col.family:
        number = cell_number(text, span, col, find)
        bound = cell_value(number, col, group, find) if number else None
        if bound is not None:
            parsed.values.append(bound)


def _read_row(
    text: str, row: Sentence, columns: list[Column], in_subject: bool, find: Finder
) -> Row | None:
    spans = cells(text, row)
    if len(spans) < 2:
        return None
    label = row_label(text, spans[0], find)
    text_spans = [s for s, c in zip(spans, columns, strict=False)
                  if not (c.family or c.count or c.phase or c.free)]  # fmt: skip
    ncts, names, agents = identity(text, text_spans or spans[:1], find)
    if in_subject and label.level == "trial" and find.agents(text, *spans[0]):
        label = GroupRef(*spans[0], "arm", text[spans[0][0] : spans[0][1]],
                         agents=tuple(find.agents(text, *spans[0])))  # fmt: skip
    population = population_of(text, text_spans[1:], find)
    pop = frozenset(m.value for m in population)
    parsed = Row(row, label, ncts, names, agents, [], population, [], [],
                  label.level == "trial")  # fmt: skip
    for col, span in zip(columns[1:], spans[1:], strict=False):
        group = col.group or label
        if col.group and set(col.group.subtypes) <= pop and len(pop) == 1:
            group = label  # 'ASPS patients, n' in a row of an ASPS-only trial
        _read_cell(text, parsed, col, span, group, pop, find)
    parsed.whole = (
        parsed.whole
        and all(c.group is None or c.group.level == "trial" for c in parsed.counts)
        and all(b.group.level == "trial" for b in parsed.values)
    )
    return parsed


def _transposed(text: str, table: list[Sentence], find: Finder) -> list[Row]:
    """'Endpoint | Result': each row is an endpoint, each column a group."""
    header = cells(text, table[0])
    groups = [_column_group(text, span, find) for span in header[1:]]
    rows = []
    for row in table[1:]:
        spans = cells(text, row)
        if len(spans) < 2:
            continue
        col = column(text, spans[0], find)
        parsed = Row(row, TRIAL, [], [], [], [], [], [], [], True)
        for group, span in zip(groups, spans[1:], strict=False):
            number = cell_number(text, span, col, find) if col.family else None
            bound = cell_value(number, col, group, find) if number else None
            if bound is not None:
                parsed.values.append(bound)
        rows.append(parsed)
    return rows


def _column_group(text: str, span: Span, find: Finder) -> GroupRef:
    if re.match(
        r"(?i)^\W*(?:results?|values?|estimates?)\W*$", text[span[0] : span[1]]
    ):
        return TRIAL
    agents = find.agents(text, *span)
    if agents:
        return GroupRef(*span, "arm", text[span[0] : span[1]], agents=tuple(agents))
    return classify(text, *span, find)


def _rows_of(
    text: str, table: list[Sentence], in_subject: bool, find: Finder
) -> list[Row]:
    header = cells(text, table[0])
    if not header:
        return []
    first = text[header[0][0] : header[0][1]]
    if _EVENT_TABLE.match(first):
        return []
    if _TRANSPOSED.match(first):
        return _transposed(text, table, find)
    columns = [column(text, span, find) for span in header]
    if not any(c.family or c.count or c.free for c in columns[1:]):
        return []
    rows = [_read_row(text, row, columns, in_subject, find) for row in table[1:]]
    return _regimens_as_arms([r for r in rows if r is not None])


def _regimens_as_arms(rows: list[Row]) -> list[Row]:
    """Rows of one trial with different regimens are its arms.

    A review's table lists 'Nivolumab | Alliance A091401 | 5%' and 'Nivolumab +
    ipilimumab | Alliance A091401 | 16%': neither value is the whole trial's.
    """
    by_trial: dict[frozenset[str], list[Row]] = {}
    for parsed in rows:
        if parsed.whole and (parsed.ncts or parsed.names) and parsed.agents:
            by_trial.setdefault(_key(parsed), []).append(parsed)
    for same in by_trial.values():
        regimens = {frozenset(m.value for m in r.agents) for r in same}
        if len(same) < 2 or len(regimens) != len(same):
            continue
        for parsed in same:
            agents = tuple(dict.fromkeys(parsed.agents))
            first, last = agents[0], agents[-1]
            arm = GroupRef(
                first.start, last.end, "arm", " + ".join(a.value for a in agents),
                agents=agents, labelled=True,
            )  # fmt: skip
            parsed.label = arm
            parsed.values = [
                replace(b, group=arm) if b.group.level == "trial" else b
                for b in parsed.values
            ]
            parsed.counts = [
                replace(c, group=arm) if c.group is None or c.group.level == "trial"
                else c
                for c in parsed.counts
            ]  # fmt: skip
            parsed.whole = False
    return rows


def _other_trial(parsed: Row, subject: Context) -> bool:
    ids = {m.value for m in (*parsed.ncts, *parsed.names)}
    if ids and subject.identifiers and not ids & subject.identifiers:
        return True
    agents = {m.value for m in parsed.agents}
    return bool(agents) and bool(subject.agents) and agents != subject.agent_names


def _context_for(parsed: Row) -> Context:
    ctx = Context(anchored=True, report=parsed.whole)
    add_unique(ctx.agents, parsed.agents)
    add_unique(ctx.ids, parsed.ncts)
    add_unique(ctx.names, parsed.names)
    add_tags(ctx.phases, parsed.phases)
    add_unique(ctx.subtypes, parsed.population)
    values = {m.value for m in parsed.population}
    ctx.population = frozenset(values) if len(values) == 1 else frozenset()
    return ctx


def _add(ctx: Context, parsed: Row) -> None:
    span = (parsed.row.start, parsed.row.end)
    for bound in parsed.values:
        group = _collapsed(bound.group, ctx.population)
        ctx.values.append((replace(bound, group=group), span))
    for count in parsed.counts:
        group = _collapsed(count.group or parsed.label, ctx.population)
        ctx.counts.append((replace(count, group=group), span))
    if parsed.label.level == "arm":
        ctx.arm_refs.append(replace(parsed.label, headed=True))


def _collapsed(group: GroupRef, population: frozenset[str]) -> GroupRef:
    if group.headed or group.qualifiers:
        return group
    if group.level == "cohort" and group.subtypes and set(group.subtypes) <= population:
        return TRIAL
    return group


def _key(parsed: Row) -> frozenset[str]:
    ids = {m.value.upper() for m in (*parsed.ncts, *parsed.names)}
    return frozenset(ids or {"+".join(sorted(m.value for m in parsed.agents))})


def table_contexts(
    document: Document, rows: list[Sentence], contexts: list[Context], find: Finder
) -> list[Context]:
    """Bind the values of a document's tables; return contexts of other trials."""
    text = document.text
    subject = contexts[0] if contexts and contexts[0].subject else None
    made: list[tuple[frozenset[str], bool, Context]] = []
    for table in split_tables(text, rows):
        for parsed in _rows_of(text, table, subject is not None, find):
            if subject is not None and not _other_trial(parsed, subject):
                add_tags(subject.phases, parsed.phases if not subject.phases else [])
                _add(subject, parsed)
                continue
            key = _key(parsed)
            target = next(
                (ctx for k, whole, ctx in made
                 if k & key and not (whole and parsed.whole)), None,
            )  # fmt: skip
            if target is None:
                target = _context_for(parsed)
                made.append((key, parsed.whole, target))
            else:
                add_unique(target.agents, parsed.agents)
                add_unique(target.ids, parsed.ncts)
                add_tags(target.phases, parsed.phases)
            _add(target, parsed)
    return [ctx for _, _, ctx in made]
