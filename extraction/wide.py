"""The evidence table: one row per trial, arm or cohort, one column per key result.

Rows come from merged records (see :mod:`merge`), so a trial reported by
several documents is one row whose cells hold every document's value. A cell
keeps each distinct value with all its evidence; when the documents (or two
passages) disagree, the cell says so and shows every value, none is chosen.
The same rows feed the web app's table and ``sarcolit extract --format wide``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sarcolit.core.models import CountValue, EndpointValue, Evidence, TrialRecord

# (column id, header, endpoint names it holds)
KEY_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("phase", "Phase", ()),
    ("n", "N", ()),
    ("orr", "ORR", ("ORR",)),
    ("dcr", "DCR", ("DCR",)),
    ("cr", "CR", ("CR",)),
    ("pfs", "Median PFS", ("median_PFS",)),
    ("os", "Median OS", ("median_OS",)),
    ("dor", "Median DOR", ("median_DOR",)),
    ("pfs_rate", "PFS rate", ("PFS_rate",)),
    ("os_rate", "OS rate", ("OS_rate",)),
    ("ae", "Grade ≥3 AE", ("grade3plus_AE",)),
)
_COLUMN_OF = {name: key for key, _, names in KEY_COLUMNS for name in names}
_TOLERANCE = 0.05
_KIND_LABELS = {
    "n_enrolled": "enrolled",
    "n_treated": "treated",
    "n_evaluable": "evaluable",
}
_UNIT_SHORT = {"week": "wk", "weeks": "wk", "month": "mo", "months": "mo", "day": "d",
               "days": "d", "year": "y", "years": "y"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Stated:
    """One value as a document states it, with the evidence for it."""

    text: str
    """How the cell shows it: '37%', '18 wk (4.1 mo)', '55% at 12 wk', '84 treated'."""
    value: float
    evidence: Evidence
    group: str = ""
    """What must agree for two values to be the same fact (time point, count kind)."""


@dataclass
class Cell:
    """Every value stated for one column of one row."""

    values: list[Stated] = field(default_factory=list)

    @property
    def sources(self) -> int:
        """Return how many documents state a value in this cell."""
        return len({v.evidence.doc_id for v in self.values})

    @property
    def disagreement(self) -> bool:
        """Return True when two values of the same fact differ.

        Patient numbers are not compared: documents count different populations
        (enrolled, treated, evaluable, an interim analysis) and say so loosely.
        """
        if any(v.group in _KIND_LABELS.values() for v in self.values):
            return False
        by_group: dict[str, list[float]] = {}
        for value in self.values:
            by_group.setdefault(value.group, []).append(value.value)
        return any(max(v) - min(v) > _TOLERANCE for v in by_group.values())

    @property
    def text(self) -> str:
        """Return the distinct values, in order, joined for display."""
        return " / ".join(dict.fromkeys(v.text for v in self.values))


@dataclass
class WideRow:
    """One trial, arm or cohort and its key results."""

    trial: str
    """The trial's name, NCT id or regimen."""
    key: str
    level: str
    group: str
    cells: dict[str, Cell] = field(default_factory=dict)
    doc_ids: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Return the row's label: the trial, or 'trial: group'."""
        return self.trial if self.level == "trial" else f"{self.trial}: {self.group}"


def _number(value: float) -> str:
    return f"{value:g}"


def _unit(unit: str) -> str:
    return _UNIT_SHORT.get(unit.lower(), unit)


def _endpoint_text(value: EndpointValue) -> str:
    if value.unit == "patients":
        text = f"{_number(value.value)} pts"
    elif value.unit == "%":
        text = f"{_number(value.value)}%"
    elif value.original_unit.lower().rstrip("s") in ("month", "mo"):
        text = f"{_number(value.value)} mo"
    else:
        original = f"{_number(value.original_value)} {_unit(value.original_unit)}"
        text = f"{original} ({_number(value.value)} mo)"
    if value.qualifier != "=":
        text = value.qualifier + text
    if value.timepoint:
        number, _, unit = value.timepoint.partition(" ")
        text += f" at {number} {_unit(unit)}"
    return text


def _endpoint(value: EndpointValue) -> Stated:
    group = f"{value.unit}|{value.timepoint_months}"
    return Stated(_endpoint_text(value), value.value, value.evidence, group)


def _count(value: CountValue) -> Stated:
    label = _KIND_LABELS.get(value.kind, value.kind)
    return Stated(f"{value.value} {label}", float(value.value), value.evidence, label)


def _label(record: TrialRecord) -> str:
    names = [v.value for v in record.names] or [v.value for v in record.nct_ids]
    if names:
        return " / ".join(dict.fromkeys(names))
    agents = " + ".join(dict.fromkeys(i.name for i in record.interventions))
    return agents or record.key or "(unnamed trial)"


def _row(
    record: TrialRecord,
    level: str,
    group: str,
    counts: Iterable[CountValue],
    endpoints: Iterable[EndpointValue],
) -> WideRow:
    row = WideRow(
        _label(record), record.key, level, group, {k: Cell() for k, _, _ in KEY_COLUMNS}
    )
    if level == "trial":
        row.cells["phase"].values += [
            Stated(p.value, 0.0, p.evidence, p.value) for p in record.phase
        ]
    row.cells["n"].values += [_count(c) for c in counts]
    for value in endpoints:
        column = _COLUMN_OF.get(value.endpoint)
        if column is not None:
            row.cells[column].values.append(_endpoint(value))
    docs = {v.evidence.doc_id for cell in row.cells.values() for v in cell.values}
    row.doc_ids = tuple(d for d in record.doc_ids if d in docs) or record.doc_ids
    return row


def wide_rows(records: Sequence[TrialRecord]) -> list[WideRow]:
    """Return one row per trial, arm and cohort of ``records`` (merged records)."""
    rows: list[WideRow] = []
    for record in records:
        rows.append(_row(record, "trial", "", record.counts, record.endpoints))
        rows += [
            _row(record, "arm", a.name, a.counts, a.endpoints) for a in record.arms
        ]
        rows += [
            _row(record, "cohort", c.name, c.counts, c.endpoints)
            for c in record.cohorts
        ]
    return rows


WIDE_COLUMNS = (
    "trial", "trial_key", "level", "group",
    *(key for key, _, _ in KEY_COLUMNS),
    "disagreements", "sources", "documents",
)  # fmt: skip


def wide_csv_row(row: WideRow, titles: Mapping[str, str]) -> dict[str, str]:
    """Return a row of the wide CSV: cells as text, disagreeing columns named."""
    out = {
        "trial": row.trial,
        "trial_key": row.key,
        "level": row.level,
        "group": row.group,
        "disagreements": "; ".join(
            key for key, cell in row.cells.items() if cell.disagreement
        ),
        "sources": str(len(row.doc_ids)),
        "documents": "; ".join(titles.get(d, d) for d in row.doc_ids),
    }
    out |= {key: cell.text for key, cell in row.cells.items()}
    return out


def write_wide_csv(
    records: Sequence[TrialRecord], path: Path, titles: Mapping[str, str]
) -> int:
    """Write the evidence table as CSV (one row per trial, arm, cohort); return rows."""
    rows = wide_rows(records)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=WIDE_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(wide_csv_row(row, titles))
    return len(rows)
