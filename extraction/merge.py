"""Trial identity: merge records of the same trial, keep every source, flag conflicts.

Two records describe the same trial when they share an NCT id or a name, or
when they give the same interventions, an overlapping subtype and no
different phase. Merging keeps each value once per document; when documents
(or two passages) disagree on a value, all values are kept and a
:class:`Conflict` names them. Nothing is resolved silently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from sarcolit.core.models import (
    ArmResult,
    CohortResult,
    Conflict,
    CountValue,
    EndpointValue,
    Evidence,
    Intervention,
    Level,
    TrialRecord,
)
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary

_TOLERANCE = 0.05


class _HasEvidence(Protocol):
    @property
    def evidence(self) -> Evidence: ...


T = TypeVar("T", CountValue, EndpointValue)
T2 = TypeVar("T2", bound=_HasEvidence)


def _agents(record: TrialRecord) -> frozenset[str]:
    return frozenset(i.name for i in record.interventions)


def _subtypes(record: TrialRecord) -> frozenset[str]:
    return frozenset(s.value for s in record.subtypes)


def _phases(record: TrialRecord) -> frozenset[str]:
    return frozenset(p.value for p in record.phase)


def _ids(record: TrialRecord) -> set[str]:
    return {v.value.upper() for v in (*record.nct_ids, *record.names)}


def same_trial(a: TrialRecord, b: TrialRecord) -> bool:
    """Return True when two records describe the same trial."""
    ids_a, ids_b = _ids(a), _ids(b)
    if ids_a and ids_b:
        return bool(ids_a & ids_b)
    # Within one document a named trial would have been named again.
    shared_doc = bool(set(a.doc_ids) & set(b.doc_ids))
    if (ids_a or ids_b) and (shared_doc or not (_phases(a) and _phases(b))):
        return False
    if not _agents(a) or _agents(a) != _agents(b):
        return False
    if not _subtypes(a) & _subtypes(b):
        return False
    return not (_phases(a) and _phases(b) and not _phases(a) & _phases(b))


def record_key(record: TrialRecord) -> str:
    """Return the identity key: the NCT id, else the name, else agents|subtype|phase."""
    if record.nct_ids:
        return sorted(v.value for v in record.nct_ids)[0]
    if record.names:
        return record.names[0].value
    agents = "+".join(sorted(_agents(record))) or "unknown"
    parts = [
        agents,
        "/".join(sorted(_subtypes(record))),
        "/".join(sorted(_phases(record))),
    ]
    return "|".join(p for p in parts if p)


def _clusters(records: Sequence[TrialRecord]) -> list[list[int]]:
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(records)):
        for j in range(i):
            if find(i) != find(j) and same_trial(records[i], records[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(records)):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _dedupe(values: Iterable[T]) -> tuple[T, ...]:
    seen: set[tuple[object, ...]] = set()
    kept: list[T] = []
    for value in values:
        if isinstance(value, EndpointValue):
            key: tuple[object, ...] = (
                value.endpoint,
                value.timepoint_months,
                value.value,
            )
        else:
            key = (value.kind, value.value)
        key = (*key, value.evidence.doc_id)
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)


def _conflicts(
    values: Sequence[CountValue | EndpointValue], level: Level, group: str
) -> list[Conflict]:
    by_kind: dict[tuple[str, float | None], list[CountValue | EndpointValue]] = (
        defaultdict(list)
    )
    for value in values:
        if isinstance(value, EndpointValue):
            by_kind[(value.endpoint, value.timepoint_months)].append(value)
        else:
            by_kind[(value.kind, None)].append(value)
    found = []
    for (name, _), same in by_kind.items():
        numbers = sorted({float(v.value) for v in same})
        if len(numbers) > 1 and numbers[-1] - numbers[0] > _TOLERANCE:
            timepoint = next(
                (v.timepoint for v in same if isinstance(v, EndpointValue)), None
            )
            found.append(
                Conflict(
                    level=level,
                    group=group,
                    endpoint=name,
                    timepoint=timepoint,
                    values=tuple(numbers),
                    doc_ids=tuple(dict.fromkeys(v.evidence.doc_id for v in same)),
                )
            )
    return found


def _merge_text(values: Iterable[T2]) -> tuple[T2, ...]:
    """Keep each value once per document (a value keeps all its sources)."""
    seen: set[tuple[str, str]] = set()
    kept: list[T2] = []
    for item in values:
        key = (
            str(getattr(item, "value", getattr(item, "name", ""))),
            item.evidence.doc_id,
        )
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return tuple(kept)


def _merge_arms(
    records: Sequence[TrialRecord],
) -> tuple[tuple[ArmResult, ...], list[Conflict]]:
    # 'nivolumab + ipilimumab' and 'ipilimumab + nivolumab' are one arm: the
    # order of the agents is the order a text happened to name them in.
    arms: dict[str, list[ArmResult]] = defaultdict(list)
    for record in records:
        for arm in record.arms:
            arms[_arm_key(arm.name)].append(arm)
    merged, conflicts = [], []
    for same in arms.values():
        name = same[0].name
        endpoints = _dedupe(e for a in same for e in a.endpoints)
        counts = _dedupe(c for a in same for c in a.counts)
        conflicts += _conflicts([*endpoints, *counts], "arm", name)
        agents = _merge_text(i for a in same for i in a.interventions)
        merged.append(
            ArmResult(
                name=name, interventions=agents, counts=counts, endpoints=endpoints
            )
        )
    return tuple(merged), conflicts


def _arm_key(name: str) -> str:
    return "+".join(sorted(part.strip().casefold() for part in name.split("+")))


def _merge_cohorts(
    records: Sequence[TrialRecord],
) -> tuple[tuple[CohortResult, ...], list[Conflict]]:
    cohorts: dict[str, list[CohortResult]] = defaultdict(list)
    for record in records:
        for cohort in record.cohorts:
            cohorts[cohort.name].append(cohort)
    merged, conflicts = [], []
    for name, same in cohorts.items():
        endpoints = _dedupe(e for c in same for e in c.endpoints)
        counts = _dedupe(n for c in same for n in c.counts)
        conflicts += _conflicts([*endpoints, *counts], "cohort", name)
        merged.append(
            CohortResult(
                name=name, subtype=same[0].subtype, counts=counts, endpoints=endpoints
            )
        )
    return tuple(merged), conflicts


def _interventions(
    records: Sequence[TrialRecord], vocab: Vocabulary
) -> tuple[Intervention, ...]:
    merged = _merge_text(i for r in records for i in r.interventions)
    # A named agent makes a bare mention of its class ('immune checkpoint
    # inhibitor') redundant.
    covered = {
        c
        for i in merged
        if i.name in vocab.agents
        for c in vocab.agent_classes(i.name, ancestors=True)
    }
    return tuple(
        i
        for i in merged
        if i.name in vocab.agents or vocab.canonical_class(i.name) not in covered
    )


def merge_group(
    records: Sequence[TrialRecord], vocabulary: Vocabulary | None = None
) -> TrialRecord:
    """Merge records of one trial into one, flagging values the sources disagree on."""
    endpoints = _dedupe(e for r in records for e in r.endpoints)
    counts = _dedupe(c for r in records for c in r.counts)
    arms, arm_conflicts = _merge_arms(records)
    cohorts, cohort_conflicts = _merge_cohorts(records)
    conflicts = [
        *_conflicts([*endpoints, *counts], "trial", ""),
        *arm_conflicts,
        *cohort_conflicts,
    ]
    doc_ids = tuple(dict.fromkeys(d for r in records for d in r.doc_ids))
    first = records[0]
    return TrialRecord(
        nct_ids=_merge_text(v for r in records for v in r.nct_ids),
        names=_merge_text(v for r in records for v in r.names),
        title=next((r.title for r in records if r.title), None),
        phase=_merge_text(v for r in records for v in r.phase),
        design=_merge_text(v for r in records for v in r.design),
        setting=_merge_text(v for r in records for v in r.setting),
        interventions=_interventions(records, vocabulary or default_vocabulary()),
        targets=_merge_text(v for r in records for v in r.targets),
        hla=_merge_text(v for r in records for v in r.hla),
        subtypes=_merge_text(v for r in records for v in r.subtypes),
        counts=counts,
        endpoints=endpoints,
        arms=arms,
        cohorts=cohorts,
        biomarkers=_merge_text(b for r in records for b in r.biomarkers),
        doc_ids=doc_ids,
        extractor=first.extractor if len(records) == 1 else "merged",
        conflicts=tuple(conflicts),
        notes=tuple(dict.fromkeys(n for r in records for n in r.notes)),
    )


def merge_records(
    records: Sequence[TrialRecord], vocabulary: Vocabulary | None = None
) -> list[TrialRecord]:
    """Merge records of the same trial and give each result a unique key."""
    merged = [
        merge_group([records[i] for i in group], vocabulary)
        for group in _clusters(records)
    ]
    keyed: list[TrialRecord] = []
    used: dict[str, int] = {}
    for record in merged:
        key = record_key(record)
        used[key] = used.get(key, 0) + 1
        if used[key] > 1:
            key = f"{key}#{used[key]}"
        keyed.append(record.model_copy(update={"key": key}))
    return keyed
