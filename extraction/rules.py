"""The rule- and vocabulary-based extractor: deterministic, fast, no LLM.

It is the offline default and also cross-checks LLM output. Each trial
context (see :mod:`sarcolit.extraction.contexts`) becomes one :class:`TrialRecord`
whose every value carries the exact sentence, table row or mention it came
from; implausible values are dropped with the reason in ``notes``.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import ValidationError

from sarcolit.core.models import (
    ArmResult,
    BiomarkerFinding,
    CohortResult,
    CountValue,
    DesignValue,
    Document,
    EndpointValue,
    Evidence,
    Intervention,
    PhaseValue,
    SettingValue,
    TextValue,
    TrialRecord,
)
from sarcolit.core.vocabulary import Mention, Vocabulary, default_vocabulary
from sarcolit.extraction.binding import Bound, Group
from sarcolit.extraction.contexts import Context, read_contexts
from sarcolit.extraction.facts import Sentence
from sarcolit.extraction.tables import table_values
from sarcolit.extraction.values import Count, to_months

Span = tuple[int, int]


def evidence(document: Document, start: int, end: int) -> Evidence:
    """Return the evidence for ``document.text[start:end]``."""
    return Evidence(
        doc_id=document.id, start=start, end=end, quote=document.text[start:end]
    )


def endpoint_value(document: Document, bound: Bound, span: Span) -> EndpointValue:
    """Turn a bound number into a value; raise ValidationError if implausible."""
    number = bound.number
    value = number.value
    if number.unit == "months":
        value = round(to_months(number.value, number.original_unit), 2)
    timepoint = bound.timepoint
    low, high = number.ci if number.ci else (None, None)
    if number.unit == "months" and low is not None and high is not None:
        low = round(to_months(low, number.original_unit), 2)
        high = round(to_months(high, number.original_unit), 2)
    return EndpointValue(
        endpoint=bound.endpoint,
        value=value,
        unit="months" if number.unit == "months" else number.unit,
        original_value=number.value,
        original_unit=number.original_unit,
        timepoint=timepoint.text if timepoint else None,
        timepoint_months=round(timepoint.months, 2) if timepoint else None,
        qualifier=number.qualifier,
        ci_low=low,
        ci_high=high,
        evidence=evidence(document, *span),
    )


def _agent(document: Document, mention: Mention) -> Intervention:
    return Intervention(
        name=mention.value,
        agent_class=mention.agent_class,
        evidence=evidence(document, mention.start, mention.end),
    )


def _interventions(
    document: Document, ctx: Context, vocab: Vocabulary
) -> list[Intervention]:
    found = [_agent(document, m) for m in ctx.agents]
    named = {
        c for m in ctx.agents for c in vocab.agent_classes(m.value, ancestors=True)
    }
    for mention in ctx.classes:
        if mention.value in named:
            continue  # 'PD-1 inhibitors' says nothing the named agents do not
        found.append(
            Intervention(
                name=vocab.class_label(mention.value),
                agent_class=mention.value,
                evidence=evidence(document, mention.start, mention.end),
            )
        )
    return found


def _text_values(document: Document, mentions: list[Mention]) -> tuple[TextValue, ...]:
    return tuple(
        TextValue(value=m.value, evidence=evidence(document, m.start, m.end))
        for m in mentions
    )


class _Groups:
    """Values and counts collected per arm and cohort."""

    def __init__(self) -> None:
        self.endpoints: dict[tuple[str, str], list[EndpointValue]] = defaultdict(list)
        self.counts: dict[tuple[str, str], list[CountValue]] = defaultdict(list)
        self.groups: dict[tuple[str, str], Group] = {}

    def key(self, group: Group) -> tuple[str, str]:
        key = (group.level, group.name)
        self.groups.setdefault(key, group)
        return key


def _collect(
    document: Document, ctx: Context, notes: list[str]
) -> tuple[list[EndpointValue], list[CountValue], _Groups]:
    trial: list[EndpointValue] = []
    groups = _Groups()
    seen: set[tuple[str, str, str, str | None, float]] = set()
    for bound, span in ctx.values:
        try:
            value = endpoint_value(document, bound, span)
        except ValidationError as exc:
            notes.append(f"rejected {bound.endpoint}: {exc.errors()[0]['msg']}")
            continue
        group = bound.group
        marker = (group.level, group.name, value.endpoint, value.timepoint, value.value)
        if marker in seen:
            continue
        seen.add(marker)
        if group.level == "trial":
            trial.append(value)
        else:
            groups.endpoints[groups.key(group)].append(value)
    counts = _counts(document, [(c, s) for c, s in ctx.counts], notes)
    for count, group, span in ctx.group_counts:
        made = _counts(document, [(count, span)], notes)
        if group.level == "trial":
            counts.extend(made)
        else:
            groups.counts[groups.key(group)].extend(made)
    return trial, counts, groups


def _counts(
    document: Document, found: list[tuple[Count, Span]], notes: list[str]
) -> list[CountValue]:
    made: list[CountValue] = []
    kinds: set[str] = set()
    for count, span in found:
        if count.kind in kinds:
            continue  # the first statement of a count is the trial's
        try:
            made.append(
                CountValue(
                    kind=count.kind,
                    value=count.value,
                    evidence=evidence(document, *span),
                )
            )
        except ValidationError as exc:
            notes.append(f"rejected {count.kind}: {exc.errors()[0]['msg']}")
            continue
        kinds.add(count.kind)
    return made


def _cohort_name(group: Group, vocab: Vocabulary) -> str:
    """Return a cohort's display name: subtype codes become their labels."""
    parts = group.name.split("/")
    if all(p in vocab.subtypes for p in parts):
        return "/".join(vocab.subtype_label(p) for p in parts)
    return group.name


def _arms_and_cohorts(
    document: Document,
    ctx: Context,
    groups: _Groups,
    interventions: list[Intervention],
    vocab: Vocabulary,
) -> tuple[list[ArmResult], list[CohortResult]]:
    arms: list[ArmResult] = []
    cohorts: list[CohortResult] = []
    for key, group in groups.groups.items():
        endpoints = tuple(groups.endpoints.get(key, ()))
        counts = tuple(groups.counts.get(key, ()))
        if group.level == "arm":
            if group.agents:
                agents = tuple(_agent(document, m) for m in group.agents)
            else:
                agents = tuple(i for i in interventions if i.name in ctx.agent_names)
            name = group.name or " + ".join(i.name for i in agents)
            arms.append(
                ArmResult(
                    name=name, interventions=agents, counts=counts, endpoints=endpoints
                )
            )
        else:
            cohorts.append(
                CohortResult(
                    name=_cohort_name(group, vocab),
                    subtype=group.subtype,
                    counts=counts,
                    endpoints=endpoints,
                )
            )
    return arms, cohorts


def _biomarkers(document: Document, ctx: Context) -> tuple[BiomarkerFinding, ...]:
    found: dict[tuple[str, str, str], BiomarkerFinding] = {}
    for finding, span in ctx.findings:
        key = (finding.marker, finding.direction, finding.outcome)
        if key not in found:
            found[key] = BiomarkerFinding(
                marker=finding.marker,
                direction=finding.direction,
                outcome=finding.outcome,
                evidence=evidence(document, *span),
            )
    return tuple(found.values())


def build_record(document: Document, ctx: Context, vocab: Vocabulary) -> TrialRecord:
    """Turn one trial context into a record whose values all carry evidence."""
    notes = list(ctx.notes)
    if ctx.inherited:
        notes.append("interventions taken from the preceding sentence")
    interventions = _interventions(document, ctx, vocab)
    trial, counts, groups = _collect(document, ctx, notes)
    arms, cohorts = _arms_and_cohorts(document, ctx, groups, interventions, vocab)
    targets = [m for m in ctx.targets if m.kind != "HLA"]
    hla = [m for m in ctx.targets if m.kind == "HLA"]
    return TrialRecord(
        nct_ids=_text_values(document, ctx.ids),
        names=_text_values(document, ctx.names),
        title=document.title,
        phase=tuple(
            PhaseValue(value=t.value, evidence=evidence(document, t.start, t.end))
            for t in ctx.phases
        ),
        design=tuple(
            DesignValue(value=t.value, evidence=evidence(document, t.start, t.end))
            for t in ctx.designs
        ),
        setting=tuple(
            SettingValue(value=t.value, evidence=evidence(document, t.start, t.end))
            for t in ctx.settings
        ),
        interventions=tuple(interventions),
        targets=_text_values(document, targets),
        hla=_text_values(document, hla),
        subtypes=_text_values(document, ctx.subtypes),
        counts=tuple(counts),
        endpoints=tuple(trial),
        arms=tuple(arms),
        cohorts=tuple(cohorts),
        biomarkers=_biomarkers(document, ctx),
        doc_ids=(document.id,),
        extractor="rules",
        notes=tuple(notes),
    )


def _keep(ctx: Context) -> bool:
    if ctx.identifiers:
        return True
    results = ctx.has_results or bool(ctx.group_counts)
    return results and (bool(ctx.agents) or (bool(ctx.classes) and ctx.anchored))


def _primary(contexts: list[Context]) -> Context:
    named = [c for c in contexts if c.identifiers]
    if named:
        return named[0]
    return max(contexts, key=lambda c: len(c.values) + len(c.counts))


def _attach_tables(
    document: Document, contexts: list[Context], rows: list[Sentence], vocab: Vocabulary
) -> None:
    if not rows:
        return
    if not contexts:
        contexts.append(Context())
    target = _primary(contexts)
    values, counts = table_values(document.text, rows, target.agent_names, vocab)
    target.values.extend(values)
    target.group_counts.extend(counts)


def extract_rules(
    document: Document, vocabulary: Vocabulary | None = None
) -> list[TrialRecord]:
    """Extract the trial records of ``document`` with rules and the vocabulary.

    No LLM is involved. ``vocabulary`` defaults to the bundled one.
    """
    vocab = vocabulary or default_vocabulary()
    contexts, rows = read_contexts(document, vocab)
    _attach_tables(document, contexts, rows, vocab)
    return [build_record(document, ctx, vocab) for ctx in contexts if _keep(ctx)]
