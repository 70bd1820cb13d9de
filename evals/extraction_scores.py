"""Pure scorers for trial-record extraction: matching, field P/R/F1, grounding.

A predicted :class:`~sarcolit.core.models.TrialRecord` is flattened into named fields
(``phase``, ``n_patients``, ``orr_percent``, ``median_pfs_months``,
``pfs_rate_12m_percent`` ...) so that it compares with a gold row's ``fields``.
A field is right when one of the predicted values equals the gold value (numbers
within a tolerance, text case-insensitively); a wrong value counts as a miss and
a false positive, and a predicted field the gold record does not have is a
false positive.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from sarcolit.core.models import CountValue, Document, EndpointValue, TrialRecord
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.evals.gold import ExtractionGoldRow, FieldValue, GoldGroup
from sarcolit.extraction import evidence_problem

ABS_TOLERANCE = 0.05
REL_TOLERANCE = 0.01
_UNITS = {"%": "percent", "months": "months", "patients": "patients"}
_RATES = frozenset({"PFS_rate", "OS_rate"})

Fields = dict[str, tuple[FieldValue, ...]]


class _Score(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def endpoint_field(value: EndpointValue) -> str:
    """Return the gold field name of an endpoint, e.g. 'orr_percent'."""
    base = value.endpoint.lower()
    if value.endpoint in _RATES and value.timepoint_months is not None:
        base += f"_{value.timepoint_months:g}m"
    return f"{base}_{_UNITS[value.unit]}"


def _values(counts: Iterable[CountValue], endpoints: Iterable[EndpointValue]) -> Fields:
    fields: dict[str, list[FieldValue]] = {}
    for count in counts:
        fields.setdefault("n_patients", []).append(count.value)
    for endpoint in endpoints:
        fields.setdefault(endpoint_field(endpoint), []).append(endpoint.value)
    return {name: tuple(values) for name, values in fields.items()}


def record_fields(record: TrialRecord) -> Fields:
    """Flatten the trial-level values of a record into gold field names."""
    fields = _values(record.counts, record.endpoints)
    if record.phase:
        fields["phase"] = tuple(p.value for p in record.phase)
    return fields


def values_match(gold: FieldValue, predicted: FieldValue) -> bool:
    """Return True if a predicted value equals the gold one (numbers with tolerance)."""
    if isinstance(gold, bool) or isinstance(predicted, bool):
        return gold == predicted
    if isinstance(gold, int | float) and isinstance(predicted, int | float):
        tolerance = max(ABS_TOLERANCE, REL_TOLERANCE * abs(gold))
        return math.isclose(gold, predicted, rel_tol=0.0, abs_tol=tolerance)
    if isinstance(gold, str) and isinstance(predicted, str):
        return gold.strip().casefold() == predicted.strip().casefold()
    return gold is None and predicted is None


class FieldCounts(_Score):
    """True positives, false positives and misses of a field comparison."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    right: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()

    def __add__(self, other: FieldCounts) -> FieldCounts:
        """Sum two counts (the field lists are concatenated)."""
        return FieldCounts(
            tp=self.tp + other.tp,
            fp=self.fp + other.fp,
            fn=self.fn + other.fn,
            right=self.right + other.right,
            wrong=self.wrong + other.wrong,
        )

    def precision(self) -> float | None:
        """Return TP / (TP + FP), or None when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    def recall(self) -> float | None:
        """Return TP / (TP + FN), or None when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def f1(self) -> float | None:
        """Return the harmonic mean of precision and recall."""
        p, r = self.precision(), self.recall()
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


def compare_fields(gold: Mapping[str, FieldValue], predicted: Fields) -> FieldCounts:
    """Count right, wrong, missing and extra fields of one record or group."""
    tp = fp = fn = 0
    right, wrong = [], []
    for name, value in gold.items():
        if any(values_match(value, p) for p in predicted.get(name, ())):
            tp += 1
            right.append(name)
        else:
            fn += 1
            wrong.append(name)
            fp += name in predicted
    extra = [name for name in predicted if name not in gold]
    return FieldCounts(
        tp=tp, fp=fp + len(extra), fn=fn, right=tuple(right), wrong=(*wrong, *extra)
    )


def missing_fields(gold: Mapping[str, FieldValue]) -> FieldCounts:
    """Count every gold field as missed (the record was not found)."""
    return FieldCounts(fn=len(gold), wrong=tuple(gold))


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def canonical_agent(name: str, vocab: Vocabulary) -> str:
    """Return the vocabulary's name for an agent or a class mention, casefolded.

    'lete-cel' gives its INN; 'PD-1 inhibitor' and 'anti-PD-1' give one class.
    """
    agents = vocab.find_agents(name)
    if agents:
        return agents[0].value.casefold()
    named = vocab.canonical_class(name)
    return f"class:{named}".casefold() if named else name.strip().casefold()


def canonical_agents(names: Iterable[str], vocab: Vocabulary) -> frozenset[str]:
    """Return agent names with synonyms resolved (see :func:`canonical_agent`)."""
    return frozenset(canonical_agent(name, vocab) for name in names)


def group_key(name: str, vocab: Vocabulary) -> str:
    """Return what identifies an arm or cohort name: its agents or its subtypes.

    Subtypes are resolved to their codes, so 'synovial sarcoma', 'SS' and a
    record's cohort of subtype 'SS' have one key.
    """
    agents = vocab.find_agents(name)
    if agents:
        return "+".join(sorted({a.value.casefold() for a in agents}))
    code = vocab.canonical_subtype(name)
    if code is not None:
        return code.casefold()
    subtypes = {s.value.casefold() for s in vocab.find_subtypes(name)}
    if subtypes:
        return "+".join(sorted(subtypes))
    return _alnum(name)


def _find_group(key: str, predicted: Mapping[str, Fields]) -> Fields | None:
    if key in predicted:
        return predicted[key]
    # Free-text names ("cutaneous scalp and face") may be shortened either way.
    near = [f for k, f in predicted.items() if key and k and (key in k or k in key)]
    return near[0] if len(near) == 1 else None


def key_tier(gold: ExtractionGoldRow, record: TrialRecord, vocab: Vocabulary) -> int:
    """Return how strongly a record matches a gold row's keys (0: no match).

    3: same NCT id; 2: same trial name; 1: the same set of interventions, or the
    gold interventions among the record's. Different NCT ids never match.
    """
    keys = gold.keys
    ncts = {v.value.upper() for v in record.nct_ids}
    if keys.nct_id and ncts:
        return 3 if keys.nct_id.upper() in ncts else 0
    names = {_alnum(v.value) for v in record.names}
    wanted = _alnum(keys.name or "")
    if wanted and any(wanted in n or (n and n in wanted) for n in names):
        return 2
    if keys.interventions:
        gold_agents = canonical_agents(keys.interventions, vocab)
        agents = canonical_agents((i.name for i in record.interventions), vocab)
        if gold_agents and gold_agents <= agents:
            return 1
    return 0


def match_records(
    gold: Sequence[ExtractionGoldRow],
    predicted: Sequence[TrialRecord],
    vocab: Vocabulary,
) -> dict[int, int]:
    """Pair gold rows with predicted records one to one; return {gold: predicted}.

    Pairs are taken greedily by key strength, then by the number of agreeing
    fields, then by how exactly the interventions agree.
    """
    candidates = []
    for g, row in enumerate(gold):
        for p, record in enumerate(predicted):
            tier = key_tier(row, record, vocab)
            if tier:
                agree = compare_fields(row.fields, record_fields(record)).tp
                exact = canonical_agents(
                    row.keys.interventions, vocab
                ) == canonical_agents((i.name for i in record.interventions), vocab)
                candidates.append(((tier, agree, exact), g, p))
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, g, p in sorted(candidates, key=lambda c: c[0], reverse=True):
        if g not in pairs and p not in used:
            pairs[g] = p
            used.add(p)
    return pairs


def compare_groups(
    gold: Sequence[GoldGroup], predicted: Mapping[str, Fields], vocab: Vocabulary
) -> tuple[int, FieldCounts]:
    """Match gold arms or cohorts to predicted ones by key; return (found, counts)."""
    found, counts = 0, FieldCounts()
    for group in gold:
        fields = _find_group(group_key(group.name, vocab), predicted)
        if fields is None:
            counts += _named(group, missing_fields(group.fields))
            continue
        found += 1
        counts += _named(group, compare_fields(group.fields, fields))
    return found, counts


def _named(group: GoldGroup, counts: FieldCounts) -> FieldCounts:
    return counts.model_copy(
        update={
            "right": tuple(f"{group.name}.{f}" for f in counts.right),
            "wrong": tuple(f"{group.name}.{f}" for f in counts.wrong),
        }
    )


def arm_fields(record: TrialRecord, vocab: Vocabulary) -> dict[str, Fields]:
    """Return each predicted arm's fields, keyed by :func:`group_key`."""
    return {
        group_key(a.name, vocab): _values(a.counts, a.endpoints) for a in record.arms
    }


def cohort_fields(record: TrialRecord, vocab: Vocabulary) -> dict[str, Fields]:
    """Return each predicted cohort's fields, keyed by :func:`group_key`."""
    return {
        group_key(c.subtype or c.name, vocab): _values(c.counts, c.endpoints)
        for c in record.cohorts
    }


def record_label(record: TrialRecord) -> str:
    """Return a short name for a predicted record: its key, ids, names or agents."""
    parts = [v.value for v in (*record.nct_ids, *record.names)]
    parts += [i.name for i in record.interventions]
    return record.key or " / ".join(dict.fromkeys(parts)) or "(unnamed record)"


def grounding(
    records: Sequence[TrialRecord], documents: Mapping[str, Document]
) -> tuple[int, int]:
    """Return (grounded, total) evidence quotes: grounded ones equal the doc text."""
    texts = {doc_id: doc.text for doc_id, doc in documents.items()}
    problems = [
        evidence_problem(evidence, texts)
        for record in records
        for evidence in record.evidence()
    ]
    return sum(1 for p in problems if not p), len(problems)
