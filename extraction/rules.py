"""The rule- and vocabulary-based extractor: deterministic, fast, no LLM.

It is the offline default and also cross-checks LLM output. A single-trial
text (one with a ``Document.subject``) is read by :mod:`subject`, a review by
:mod:`contexts`; tables by :mod:`tables`. Each trial context becomes one
:class:`TrialRecord` whose every value carries the exact sentence or table row
it came from; implausible values are dropped with the reason in ``notes``.
Records of one document that share an NCT id or a trial name are merged.
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
from sarcolit.extraction.arms import (
    TRIAL_KEY,
    ArmModel,
    GroupKey,
    arm_model,
    resolve,
    same_free_cohort,
)
from sarcolit.extraction.bound import Bound
from sarcolit.extraction.contexts import Context, paragraphs, review_contexts
from sarcolit.extraction.counts import Count
from sarcolit.extraction.facts import Sentence, analyse
from sarcolit.extraction.mentions import Finder
from sarcolit.extraction.merge import merge_group
from sarcolit.extraction.subject import read_subject
from sarcolit.extraction.table_rows import table_contexts
from sarcolit.extraction.values import to_months
from sarcolit.ingest import is_instruction, sentence_spans, with_context

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


def _intervention(document: Document, mention: Mention) -> Intervention:
    return Intervention(
        name=mention.value,
        agent_class=mention.agent_class,
        evidence=evidence(document, mention.start, mention.end),
    )


def _interventions(
    document: Document, ctx: Context, vocab: Vocabulary
) -> list[Intervention]:
    found = [_intervention(document, m) for m in ctx.agents]
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
    """Values and counts collected per trial, arm and cohort."""

    def __init__(self) -> None:
        self.endpoints: dict[str, list[EndpointValue]] = defaultdict(list)
        self.counts: dict[str, list[CountValue]] = defaultdict(list)
        self.keys: dict[str, GroupKey] = {"": TRIAL_KEY}

    def slot(self, key: GroupKey) -> str:
        """Return the slot of a group, merging free-text cohorts named alike."""
        if key.level == "cohort" and key.key.startswith("~"):
            for named, other in self.keys.items():
                if named.startswith("~") and same_free_cohort(other.name, key.name):
                    return named
        slot = key.key if key.level != "trial" else ""
        known = self.keys.setdefault(slot, key)
        if key.labelled and not known.labelled:
            self.keys[slot] = key  # an arm a table row names is one
        return slot


def _count_value(
    document: Document, count: Count, span: Span, notes: list[str]
) -> CountValue | None:
    try:
        return CountValue(
            kind=count.kind, value=count.value, evidence=evidence(document, *span)
        )
    except ValidationError as exc:
        notes.append(f"rejected {count.kind}: {exc.errors()[0]['msg']}")
        return None


def _collect(
    document: Document, ctx: Context, model: ArmModel, notes: list[str]
) -> _Groups:
    groups = _Groups()
    seen: set[tuple[str, str, str | None, float]] = set()
    for bound, span in ctx.values:
        try:
            value = endpoint_value(document, bound, span)
        except ValidationError as exc:
            notes.append(f"rejected {bound.endpoint}: {exc.errors()[0]['msg']}")
            continue
        slot = groups.slot(resolve(bound.group, model))
        marker = (slot, value.endpoint, value.timepoint, value.value)
        if marker not in seen:
            seen.add(marker)
            groups.endpoints[slot].append(value)
    spread: list[tuple[Count, Span]] = []
    for count, span in ctx.counts:
        if (
            count.group is not None
            and count.group.distributive
            and not (count.group.subtypes or count.group.name)
        ):
            spread.append((count, span))
            continue
        key = resolve(count.group, model) if count.group else TRIAL_KEY
        made = _count_value(document, count, span, notes)
        if made is not None:
            groups.counts[groups.slot(key)].append(made)
    _spread(document, groups, spread, notes)
    return groups


def _spread(
    document: Document,
    groups: _Groups,
    spread: list[tuple[Count, Span]],
    notes: list[str],
) -> None:
    """'42 in each disease cohort': the count holds for every group there is."""
    arms = [s for s, k in groups.keys.items() if k.level == "arm"]
    cohorts = [s for s, k in groups.keys.items() if k.level == "cohort"]
    for count, span in spread:
        made = _count_value(document, count, span, notes)
        for slot in (arms or cohorts) if made else []:
            groups.counts[slot].append(made)  # type: ignore[arg-type]


def _unique_counts(counts: list[CountValue]) -> tuple[CountValue, ...]:
    seen: set[tuple[str, int]] = set()
    kept = []
    for count in counts:
        if (count.kind, count.value) not in seen:
            seen.add((count.kind, count.value))
            kept.append(count)
    return tuple(kept)


def _single_arm(groups: _Groups, model: ArmModel) -> None:
    """One arm that is the whole regimen is the trial itself."""
    arms = [s for s, k in groups.keys.items() if k.level == "arm"]
    full = "+".join(sorted(m.value for m in model.full))
    if len(arms) == 1 and arms[0] == full and not groups.keys[arms[0]].labelled:
        groups.endpoints[""].extend(groups.endpoints.pop(arms[0], []))
        groups.counts[""].extend(groups.counts.pop(arms[0], []))
        del groups.keys[arms[0]]


def _arms_and_cohorts(
    document: Document, groups: _Groups
) -> tuple[list[ArmResult], list[CohortResult]]:
    arms: list[ArmResult] = []
    cohorts: list[CohortResult] = []
    for slot, key in groups.keys.items():
        if key.level == "trial":
            continue
        endpoints = tuple(groups.endpoints.get(slot, ()))
        counts = _unique_counts(groups.counts.get(slot, []))
        if not endpoints and not counts:
            continue
        if key.level == "arm":
            agents = tuple(_intervention(document, m) for m in key.agents)
            arms.append(
                ArmResult(
                    name=key.name, interventions=agents, counts=counts,
                    endpoints=endpoints,
                )
            )  # fmt: skip
        else:
            cohorts.append(
                CohortResult(
                    name=key.name, subtype=key.subtype, counts=counts,
                    endpoints=endpoints,
                )
            )  # fmt: skip
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
    population = [m.value for m in ctx.subtypes] if ctx.population else []
    model = arm_model(ctx.agents, ctx.arm_refs, population, vocab)
    groups = _collect(document, ctx, model, notes)
    _single_arm(groups, model)
    arms, cohorts = _arms_and_cohorts(document, groups)
    targets = [m for m in ctx.targets if m.kind != "hla"]
    hla = [m for m in ctx.targets if m.kind == "hla"]
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
        interventions=tuple(_interventions(document, ctx, vocab)),
        targets=_text_values(document, targets),
        hla=_text_values(document, hla),
        subtypes=_text_values(document, ctx.subtypes),
        counts=_unique_counts(groups.counts.get("", [])),
        endpoints=tuple(groups.endpoints.get("", ())),
        arms=tuple(arms),
        cohorts=tuple(cohorts),
        biomarkers=_biomarkers(document, ctx),
        doc_ids=(document.id,),
        extractor="rules",
        notes=tuple(notes),
    )


def _keep(ctx: Context) -> bool:
    if ctx.subject:
        return bool(ctx.agents or ctx.identifiers)
    if ctx.identifiers:
        return True
    results = ctx.has_results
    return results and (bool(ctx.agents) or (bool(ctx.classes) and ctx.anchored))


def _review(document: Document, find: Finder) -> tuple[list[Context], list[Sentence]]:
    text = document.text
    rows: list[Sentence] = []
    sentences: list[list[Sentence]] = []
    for para_start, para_end in paragraphs(text):
        paragraph = []
        for start, end in sentence_spans(text, para_start, para_end):
            if is_instruction(text[start:end]):
                continue  # addressed to a reader or a model: never evidence
            sentence = analyse(text, start, end, find)
            if sentence.is_row:
                rows.append(sentence)
            else:
                paragraph.append(sentence)
        sentences.append(paragraph)
    return review_contexts(text, sentences, find), rows


def _merged(
    found: list[tuple[TrialRecord, bool]], vocab: Vocabulary
) -> list[TrialRecord]:
    """Merge records of one document that share an NCT id or a trial name.

    Two table rows that each report a whole trial are two reports of it (an
    update and the original) and stay apart.
    """
    groups: list[tuple[list[TrialRecord], bool]] = []
    for record, report in found:
        ids = {v.value.upper() for v in (*record.nct_ids, *record.names)}
        for group, reported in groups:
            known = {v.value.upper() for r in group for v in (*r.nct_ids, *r.names)}
            if ids & known and not (report and reported):
                group.append(record)
                break
        else:
            groups.append(([record], report))
    merged = []
    for group, _ in groups:
        if len(group) == 1:
            merged.append(group[0])
        else:
            merged.append(
                merge_group(group, vocab).model_copy(update={"extractor": "rules"})
            )
    return merged


def extract_rules(
    document: Document, vocabulary: Vocabulary | None = None
) -> list[TrialRecord]:
    """Extract the trial records of ``document`` with rules and the vocabulary.

    No LLM is involved; ``vocabulary`` defaults to the bundled one. A document
    built without ingest (no subject read yet) has its kind and subject read
    from its text first; a kind it was given is kept.
    """
    vocab = vocabulary or default_vocabulary()
    find = Finder(vocab)
    if document.subject is None and document.kind in ("trial", "regulatory", "unknown"):
        document = with_context(
            document, kind_given=document.kind != "unknown", vocabulary=vocab
        )
    if document.subject is not None:
        contexts, rows = read_subject(document, find)
    else:
        contexts, rows = _review(document, find)
    contexts += table_contexts(document, rows, contexts, find)
    found = [
        (build_record(document, ctx, vocab), ctx.report)
        for ctx in contexts
        if _keep(ctx)
    ]
    return _merged(found, vocab)
