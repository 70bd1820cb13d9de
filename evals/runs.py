"""Run directories: results.json and items.jsonl, comparison of runs, metric gates.

A run directory holds ``results.json`` (:class:`RunResults`), ``items.jsonl``
(one JSON object per gold item, each with an ``id`` and a ``scores`` mapping),
``report.md`` and PNG plots. Comparison and gates read only these files, so runs
made by older versions of sarcolit stay comparable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sarcolit.core.errors import ConfigError, SarcolitError

RESULTS = "results.json"
ITEMS = "items.jsonl"
Scores = dict[str, float | None]


class RunResults(BaseModel):
    """Summary of one evaluation run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["qa", "extraction", "synthesis"]
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat())
    settings: dict[str, str] = Field(description="What was run: gold file, k, ...")
    metrics: dict[str, float]
    breakdown: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="Per-section (QA) or per-field scores."
    )
    curve: dict[int, float] = Field(
        default_factory=dict, description="Evidence recall at each k (QA only)."
    )


class ItemScores(BaseModel):
    """The part of an item line that comparison reads."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    scores: Scores
    label: str = ""


class Change(BaseModel):
    """How one item's scores moved between two runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: str
    deltas: dict[str, tuple[float | None, float | None]]


class RunDiff(BaseModel):
    """Differences between an earlier run and a new one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metrics: dict[str, tuple[float | None, float | None]]
    better: tuple[Change, ...]
    worse: tuple[Change, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]


def write_items(run_dir: Path, items: Sequence[BaseModel]) -> Path:
    """Write one JSON line per item to ``items.jsonl``; return its path."""
    path = run_dir / ITEMS
    lines = (item.model_dump_json() for item in items)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def write_results(run_dir: Path, results: RunResults) -> Path:
    """Write ``results.json``; return its path."""
    path = run_dir / RESULTS
    path.write_text(results.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def read_results(run_dir: Path) -> RunResults:
    """Read ``results.json`` of an earlier run.

    Raises:
        SarcolitError: the folder holds no readable run.
    """
    path = run_dir / RESULTS
    try:
        return RunResults.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as exc:
        raise SarcolitError(
            f"{path}: not a readable eval run ({exc.__class__.__name__}); "
            "pass the run directory an earlier eval wrote"
        ) from exc


def read_items(run_dir: Path) -> dict[str, ItemScores]:
    """Read the per-item scores of an earlier run, keyed by item id."""
    path = run_dir / ITEMS
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        items = [ItemScores.model_validate_json(line) for line in lines if line]
    except (OSError, ValidationError) as exc:
        raise SarcolitError(f"{path}: cannot read item scores: {exc}") from exc
    return {item.id: item for item in items}


def _primary(scores: Scores) -> float | None:
    present = [v for v in scores.values() if v is not None]
    return sum(present) / len(present) if present else None


def _changed(old: ItemScores, new: ItemScores) -> Change | None:
    keys = sorted(set(old.scores) | set(new.scores))
    deltas = {
        key: (old.scores.get(key), new.scores.get(key))
        for key in keys
        if old.scores.get(key) != new.scores.get(key)
    }
    if not deltas:
        return None
    return Change(id=new.id, label=new.label or old.label, deltas=deltas)


def compare_runs(old_dir: Path, new_dir: Path) -> RunDiff:
    """Compare two run directories item by item: what got better, what got worse.

    An item is better (worse) when the mean of its scores rose (fell); items
    whose scores changed without moving the mean count as neither.
    """
    old_results, new_results = read_results(old_dir), read_results(new_dir)
    if old_results.kind != new_results.kind:
        raise SarcolitError(
            f"cannot compare a {old_results.kind} run with a {new_results.kind} run"
        )
    old_items, new_items = read_items(old_dir), read_items(new_dir)
    better: list[Change] = []
    worse: list[Change] = []
    for item_id in [i for i in new_items if i in old_items]:
        change = _changed(old_items[item_id], new_items[item_id])
        before = _primary(old_items[item_id].scores) or 0.0
        after = _primary(new_items[item_id].scores) or 0.0
        if change is not None and not math.isclose(before, after):
            (better if after > before else worse).append(change)
    names = sorted(set(old_results.metrics) | set(new_results.metrics))
    return RunDiff(
        metrics={
            n: (old_results.metrics.get(n), new_results.metrics.get(n)) for n in names
        },
        better=tuple(better),
        worse=tuple(worse),
        added=tuple(i for i in new_items if i not in old_items),
        removed=tuple(i for i in old_items if i not in new_items),
    )


def parse_thresholds(specs: Sequence[str]) -> dict[str, float]:
    """Parse ``METRIC=VALUE`` strings.

    Raises:
        ConfigError: a spec has no '=' or its value is not a number.
    """
    thresholds = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        try:
            thresholds[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise ConfigError(f"threshold {spec!r} is not METRIC=VALUE, e.g. mrr=0.5")
    return thresholds


def check_gates(
    metrics: Mapping[str, float],
    minimums: Mapping[str, float],
    maximums: Mapping[str, float] | None = None,
) -> list[str]:
    """Return one message per metric below its minimum (or above its maximum).

    Raises:
        ConfigError: a threshold names a metric the run does not report.
    """
    failures = []
    bounds = [(name, v, True) for name, v in minimums.items()]
    bounds += [(name, v, False) for name, v in (maximums or {}).items()]
    for name, bound, is_min in bounds:
        if name not in metrics:
            known = ", ".join(sorted(metrics))
            raise ConfigError(f"unknown metric {name!r}; this run reports: {known}")
        value = metrics[name]
        if (value < bound) if is_min else (value > bound):
            word = "below the minimum" if is_min else "above the maximum"
            failures.append(f"{name} = {value:.3f} is {word} {bound:.3f}")
    return failures
