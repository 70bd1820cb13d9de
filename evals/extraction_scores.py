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
from sarcolit.evals.extraction_groups import Rule, pair_groups
from sarcolit.evals.gold import ExtractionGoldRow, FieldValue, GoldGroup
from sarcolit.extraction import evidence_problem

ABS_TOLERANCE = 0.05
REL_TOLERANCE = 0.01
_UNITS = {"%": "percent", "months": "months", "patients": "patients"}
_RATES = frozenset({"PFS_rate", "OS_rate"})
_MEDIANS = frozenset({"median_PFS", "median_OS", "median_DOR"})
_TIMEPOINT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(day|week|month|year)s?\b", re.I)
_TIME_UNITS = {"day": "days", "week": "weeks"}

Fields = dict[str, tuple[FieldValue, ...]]


class _Score(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def timepoint_suffix(value: EndpointValue) -> str:
    """Return a rate's time point as written: '12w' (12 weeks), '6m', '24m' (2 years).

    A time point keeps the unit the text gives it, so a rate at 12 weeks is not
    confused with one at 3 months; years are written as months.
    """
    match = _TIMEPOINT.match(value.timepoint or "")
    if match is None:
        return f"{value.timepoint_months:g}m"
    number, unit = float(match.group(1)), match.group(2).lower()
    if unit == "year":
        return f"{number * 12:g}m"
    return f"{number:g}{unit[0]}"


def endpoint_field(value: EndpointValue) -> str:
    """Return the gold field name of an endpoint, e.g. 'orr_percent'."""
    base = value.endpoint.lower()
    if value.endpoint in _RATES and value.timepoint_months is not None:
        base += f"_{timepoint_suffix(value)}"
    return f"{base}_{_UNITS[value.unit]}"


def as_written_field(value: EndpointValue) -> str | None:
    """Return the field of a median in the unit the text gives, if not months.

    'median PFS was 18 weeks' gives ``median_pfs_months`` (4.1) and also
    ``median_pfs_weeks`` (18): both are what the text states.
    """
    if value.endpoint not in _MEDIANS:
        return None
    unit = _TIME_UNITS.get(value.original_unit.lower().rstrip("s"))
    return f"{value.endpoint.lower()}_{unit}" if unit else None


def _values(counts: Iterable[CountValue], endpoints: Iterable[EndpointValue]) -> Fields:
    fields: dict[str, list[FieldValue]] = {}
    for count in counts:
        fields.setdefault("n_patients", []).append(count.value)
    for endpoint in endpoints:
        fields.setdefault(endpoint_field(endpoint), []).append(endpoint.value)
        written = as_written_field(endpoint)
        if written:
            fields.setdefault(written, []).append(endpoint.original_value)
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
        found = predicted.get(name, ())
        if any(values_match(value, p) for p in found):
            tp += 1
            right.append(name)
            # Another value beside the right one is stated for a group that
            # has only one: a false positive (counts are exempt: enrolled,
            # treated and evaluable patients are all numbers of patients).
            others = {p for p in found if not values_match(value, p)}
            if others and name != "n_patients":
                fp += len(others)
                wrong.append(f"{name}+")
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
    gold: Sequence[GoldGroup],
    predicted: Sequence[tuple[str, Fields]],
    rules: Sequence[Rule],
    vocab: Vocabulary,
) -> tuple[int, FieldCounts]:
    """Pair gold arms or cohorts with predicted ones; return (found, counts).

    Every field of a predicted group that pairs with no gold group is a false
    positive, listed as ``+name.field``.
    """
    pairs = pair_groups(gold, [name for name, _ in predicted], rules, vocab)
    counts = FieldCounts()
    for g, group in enumerate(gold):
        if g in pairs:
            found = compare_fields(group.fields, predicted[pairs[g]][1])
        else:
            found = missing_fields(group.fields)
        counts += _named(group.name, found)
    for p, (name, fields) in enumerate(predicted):
        if p not in pairs.values():
            extra = tuple(f"+{name}.{field}" for field in fields)
            counts += FieldCounts(fp=len(fields), wrong=extra)
    return len(pairs), counts


def _named(name: str, counts: FieldCounts) -> FieldCounts:
    return counts.model_copy(
        update={
            "right": tuple(f"{name}.{f}" for f in counts.right),
            "wrong": tuple(f"{name}.{f}" for f in counts.wrong),
        }
    )


def arm_fields(record: TrialRecord) -> list[tuple[str, Fields]]:
    """Return each predicted arm's name and fields."""
    return [(a.name, _values(a.counts, a.endpoints)) for a in record.arms]


def cohort_fields(record: TrialRecord) -> list[tuple[str, Fields]]:
    """Return each predicted cohort's name and fields."""
    return [(c.name, _values(c.counts, c.endpoints)) for c in record.cohorts]


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
