"""The compact table of a synthesis answer, filled from the stored trial records.

Each cell holds the record values of one trial (or arm, or cohort) for one
endpoint, citing the sentence of the answer the value was read from. A value
whose evidence is not one of the answer's cited sentences is left out, so the
table never says more than the lines beside it. A list reads one row per trial
with endpoints as columns; a comparison puts the compared trials or reports side
by side as columns, one row per endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sarcolit.core.models import (
    Answer,
    AnswerTable,
    EndpointValue,
    TableCell,
    TableRow,
    TrialRecord,
)
from sarcolit.retrieval.synthesis_query import SynthesisQuery, Topic
from sarcolit.retrieval.synthesis_sources import Line

MAX_SIDE_BY_SIDE = 4
"""Most columns of a comparison table."""
COLUMNS: dict[Topic, tuple[str, str]] = {
    "response": ("ORR", "ORR"),
    "dcr": ("DCR", "DCR"),
    "pfs": ("median_PFS", "Median PFS"),
    "os": ("median_OS", "Median OS"),
    "dor": ("median_DOR", "Median DOR"),
    "toxicity": ("grade3plus_AE", "Grade ≥3 AEs"),
    "pathologic": ("pathologic_response", "Pathologic response"),
}
_CI_LEVEL = r"(?:%|per ?cent)\s*(?:CI|confidence)"


def _plausible(value: EndpointValue) -> bool:
    """Return False for a value its evidence writes only as a confidence bound.

    A guard against a known extraction slip (the 95 of "95% CI" read as a rate);
    the values of a sound record pass it unchanged.
    """
    number = f"{value.original_value:g}"
    quote = value.evidence.quote
    pattern = rf"(?<![\d.]){re.escape(number)}(?![\d])"
    for match in re.finditer(pattern, quote):
        level = re.match(_CI_LEVEL, quote[match.end() :])
        bound = re.search(
            r"\bCI\b[^)]*$|confidence interval[^)]*$", quote[: match.start()][-30:]
        )
        if not level and not bound:
            return True
    return False


def _text(group: str, value: EndpointValue) -> str:
    unit = {"%": "%", "months": " mo", "patients": " pts"}[value.unit]
    shown = f"{value.value:g}{unit}"
    return f"{group} {shown}" if group else shown


def _endpoints(
    record: TrialRecord, query: SynthesisQuery
) -> list[tuple[str, EndpointValue]]:
    """Return the record's values, each with its arm or cohort ('' for the trial).

    A cell may hold a trial's figure beside its cohorts' ('25%; ASPS 54.5%'):
    each is labelled, so no reader takes a cohort's figure for the trial's.
    """
    values = [("", v) for v in record.endpoints]
    arms = len(record.arms) > 1
    for arm in record.arms:
        values.extend((arm.name if arms else "", v) for v in arm.endpoints)
    for cohort in record.cohorts:
        if not query.subtypes or (cohort.subtype in query.subtypes):
            label = cohort.subtype or cohort.name  # 'ASPS', not the long name
            values.extend((label, v) for v in cohort.endpoints)
    return values


def _spans(answer: Answer, line: Line) -> dict[tuple[str, int, int], int]:
    """Return the cited spans of one line's sentences, with their citation ids."""
    own = {
        (s.chunk.doc_id, s.chunk.start + s.start, s.chunk.start + s.end)
        for _, s in line.sentences
    }
    return {
        (c.doc_id, c.start, c.end): c.id
        for c in answer.citations
        if (c.doc_id, c.start, c.end) in own
    }


def _cell(
    line: Line,
    endpoint: str,
    records: Sequence[TrialRecord],
    query: SynthesisQuery,
    spans: dict[tuple[str, int, int], int],
) -> TableCell:
    docs = {p.doc_id for p, _ in line.sentences}
    texts: list[str] = []
    shown: set[str] = set()  # a figure once, however many groups state it
    cited: list[int] = []
    for record in records:
        if not docs & set(record.doc_ids):
            continue
        names = {v.value for v in (*record.nct_ids, *record.names)}
        agents = {i.name for i in record.interventions}
        if line.trials and names and not names & line.trials:
            continue
        if not agents & line.agents and not names & line.trials:
            continue
        for group, value in _endpoints(record, query):
            if value.endpoint != endpoint or not _plausible(value):
                continue
            evidence = value.evidence
            within = [
                n
                for (doc, start, end), n in spans.items()
                if doc == evidence.doc_id
                and start <= evidence.start
                and evidence.end <= end
            ]
            if within and _text("", value) not in shown:
                shown.add(_text("", value))
                texts.append(_text(group, value))
                cited.append(within[0])
    return TableCell(
        text="; ".join(texts) or "-", citations=tuple(dict.fromkeys(cited))
    )


def build_table(
    answer: Answer,
    lines: Sequence[Line],
    query: SynthesisQuery,
    records: Sequence[TrialRecord],
) -> AnswerTable | None:
    """Return the table of a synthesis answer, or None when records fill no cell."""
    columns = [COLUMNS[t] for t in query.topics if t in COLUMNS]
    if not columns or not records:
        return None
    grid = [
        [
            _cell(line, endpoint, records, query, _spans(answer, line))
            for endpoint, _ in columns
        ]
        for line in lines
    ]
    told = [i for i, row in enumerate(grid) if any(c.citations for c in row)]
    if query.kind == "comparison" and 1 < len(told) <= MAX_SIDE_BY_SIDE:
        # Side by side: the compared trials (those the records speak for).
        lines = [lines[i] for i in told]
        grid = [grid[i] for i in told]
        table = AnswerTable(
            label="Endpoint",
            side_by_side=True,
            columns=tuple(line.label for line in lines),
            rows=tuple(
                TableRow(label=header, cells=tuple(row[i] for row in grid))
                for i, (_, header) in enumerate(columns)
            ),
        )
    else:
        table = AnswerTable(
            columns=tuple(header for _, header in columns),
            rows=tuple(
                TableRow(label=line.label, cells=tuple(row))
                for line, row in zip(lines, grid, strict=True)
            ),
        )
    filled = [c for row in table.rows for c in row.cells if c.citations]
    if not filled:
        return None
    keep = [
        i
        for i in range(len(table.columns))
        if any(r.cells[i].citations for r in table.rows)
    ]
    rows = [r for r in table.rows if any(c.citations for c in r.cells)]
    return AnswerTable(
        label=table.label,
        side_by_side=table.side_by_side,
        columns=tuple(table.columns[i] for i in keep),
        rows=tuple(
            TableRow(label=r.label, cells=tuple(r.cells[i] for i in keep)) for r in rows
        ),
    )
