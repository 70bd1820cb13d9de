"""Long-format CSV: one row per value, ready for a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from sarcolit.core.models import Conflict, CountValue, EndpointValue, TrialRecord

COLUMNS = (
    "trial_key", "nct_ids", "names", "interventions", "phase", "level", "group",
    "endpoint", "value", "unit", "timepoint", "ci_low", "ci_high", "doc_id",
    "start", "end", "quote", "conflict",
)  # fmt: skip


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _conflict(conflicts: Sequence[Conflict], level: str, group: str, name: str) -> str:
    for conflict in conflicts:
        if (conflict.level, conflict.group, conflict.endpoint) == (level, group, name):
            return "conflict: " + " vs ".join(_number(v) for v in conflict.values)
    return ""


def _row(
    record: TrialRecord, level: str, group: str, value: CountValue | EndpointValue
) -> dict[str, str]:
    name: str
    if isinstance(value, EndpointValue):
        name, unit = value.endpoint, value.unit
        timepoint, low, high = value.timepoint or "", value.ci_low, value.ci_high
    else:
        name, unit, timepoint, low, high = value.kind, "patients", "", None, None
    return {
        "trial_key": record.key,
        "nct_ids": "; ".join(dict.fromkeys(v.value for v in record.nct_ids)),
        "names": "; ".join(dict.fromkeys(v.value for v in record.names)),
        "interventions": " + ".join(
            dict.fromkeys(i.name for i in record.interventions)
        ),
        "phase": "; ".join(dict.fromkeys(p.value for p in record.phase)),
        "level": level,
        "group": group,
        "endpoint": name,
        "value": _number(float(value.value)),
        "unit": unit,
        "timepoint": timepoint,
        "ci_low": _number(low),
        "ci_high": _number(high),
        "doc_id": value.evidence.doc_id,
        "start": str(value.evidence.start),
        "end": str(value.evidence.end),
        "quote": value.evidence.quote,
        "conflict": _conflict(record.conflicts, level, group, name),
    }


def rows(records: Iterable[TrialRecord]) -> Iterator[dict[str, str]]:
    """Yield one CSV row per count and endpoint value, at every level."""
    for record in records:
        groups: list[tuple[str, str, Sequence[CountValue | EndpointValue]]] = [
            ("trial", "", [*record.counts, *record.endpoints])
        ]
        groups += [("arm", a.name, [*a.counts, *a.endpoints]) for a in record.arms]
        groups += [
            ("cohort", c.name, [*c.counts, *c.endpoints]) for c in record.cohorts
        ]
        for level, group, values in groups:
            for value in values:
                yield _row(record, level, group, value)


def write_csv(records: Iterable[TrialRecord], path: Path) -> int:
    """Write the long-format CSV of ``records`` to ``path``; return the row count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows(records):
            writer.writerow(row)
            count += 1
    return count
