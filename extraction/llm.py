"""The LLM extractor, through langchain_core's chat-model seam.

The prompt gives the JSON schema of :class:`DraftOutput` and the document's
numbered sentences; a long paper goes in windows of sentences and the partial
records are merged. The reply is constrained to the schema where the backend
supports structured output and is always validated with pydantic and grounded
against the text; invalid output is retried once with the validation error.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import ValidationError

from sarcolit.core.errors import ExtractionError
from sarcolit.core.models import (
    ArmResult,
    CohortResult,
    CountValue,
    Document,
    EndpointValue,
    Evidence,
    Intervention,
    PhaseValue,
    TextValue,
    TrialRecord,
)
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary
from sarcolit.extraction.grounding import (
    ungrounded_numbers,
    validate_record,
    validation_reason,
)
from sarcolit.extraction.llm_schema import (
    Cited,
    DraftEndpoint,
    DraftIntervention,
    DraftLabel,
    DraftOutput,
    DraftTrial,
)
from sarcolit.extraction.merge import merge_records
from sarcolit.extraction.values import timepoints, to_months, unit_key
from sarcolit.ingest import is_instruction, sentence_spans

MAX_SENTENCES = 60
SYSTEM = """You extract clinical-trial results from sarcoma papers.
Reply with one JSON object only, valid against this JSON schema:
{schema}
Rules:
- Every value cites the number of the sentence it comes from and copies words
  from that sentence exactly, including the number.
- Report only numbers written in the text; never compute or guess one.
- A comparator's value ('versus 4.4 months', 'compared with historical data')
  is not the trial's own: leave it out.
- Keep medians (median_PFS, median_OS, median_DOR) apart from rates at a time
  point (PFS_rate, OS_rate with a timepoint).
- Keep n_enrolled, n_treated and n_evaluable apart.
- Give arm results level 'arm' and subtype cohorts level 'cohort' with a group name."""
_JSON = re.compile(r"\{.*\}", re.S)
REMOVED = "(a sentence addressed to the reader was removed)"


def numbered_sentences(document: Document) -> list[tuple[int, int]]:
    """Return the sentence spans of ``document``; sentence n is item n - 1."""
    return sentence_spans(document.text)


def _prompt_text(sentence: str) -> str:
    """Return a sentence as the prompt shows it: one addressed to a model is removed."""
    return REMOVED if is_instruction(sentence) else sentence


def build_messages(
    document: Document, spans: Sequence[tuple[int, int]], first: int
) -> list[BaseMessage]:
    """Return the prompt for the sentences numbered from ``first``."""
    schema = json.dumps(DraftOutput.model_json_schema(), separators=(",", ":"))
    lines = [
        f"[{first + i}] {_prompt_text(document.text[s:e])}"
        for i, (s, e) in enumerate(spans)
    ]
    body = f"Title: {document.title}\nSentences:\n" + "\n".join(lines)
    return [SystemMessage(SYSTEM.format(schema=schema)), HumanMessage(body)]


def _reply_text(model: BaseChatModel, messages: list[BaseMessage]) -> str:
    """Ask the model; use its structured-output mode when it has one."""
    try:
        structured = model.with_structured_output(
            DraftOutput, method="json_schema", include_raw=True
        )
    except (NotImplementedError, ValueError):
        return str(model.invoke(messages).content)
    result = structured.invoke(messages)
    raw = result.get("raw") if isinstance(result, dict) else None
    return str(raw.content) if isinstance(raw, AIMessage) else json.dumps(result)


def parse_reply(text: str) -> DraftOutput:
    """Parse the JSON object in a reply (code fences and chatter are ignored).

    Raises:
        ValueError: no JSON object, or one that does not fit the schema.
    """
    match = _JSON.search(text)
    if match is None:
        raise ValueError("the reply holds no JSON object")
    try:
        return DraftOutput.model_validate_json(match.group())
    except ValidationError as exc:
        raise ValueError(
            f"the JSON does not fit the schema: {validation_reason(exc)}"
        ) from exc


def _evidence(
    document: Document, spans: Sequence[tuple[int, int]], cited: Cited
) -> Evidence:
    if not 1 <= cited.sentence <= len(spans):
        raise ValueError(f"sentence {cited.sentence} does not exist")
    start, end = spans[cited.sentence - 1]
    if is_instruction(document.text[start:end]):
        raise ValueError(
            f"sentence {cited.sentence} is addressed to the reader, not evidence"
        )
    found = document.text.find(cited.quote, start, end)
    if found < 0:
        raise ValueError(
            f"quote {cited.quote[:60]!r} is not in sentence {cited.sentence}"
        )
    return Evidence(
        doc_id=document.id, start=found, end=found + len(cited.quote), quote=cited.quote
    )


def _endpoint(
    document: Document, spans: Sequence[tuple[int, int]], draft: DraftEndpoint
) -> EndpointValue:
    unit = draft.unit.strip().lower()
    value, final_unit, original_unit = draft.value, "%", "%"
    if unit not in ("%", "percent", "patients"):
        value, final_unit, original_unit = (
            round(to_months(draft.value, unit), 2),
            "months",
            unit,
        )
    elif unit == "patients":
        final_unit = original_unit = "patients"
    found = timepoints(draft.timepoint or "", 0, len(draft.timepoint or ""))
    if draft.timepoint and not found:
        found = timepoints(
            f"{draft.timepoint}-".replace(" ", "-"), 0, len(draft.timepoint) + 1
        )
    return EndpointValue.model_validate(
        {
            "endpoint": draft.endpoint,
            "value": value,
            "unit": final_unit,
            "original_value": draft.value,
            "original_unit": original_unit
            if original_unit in ("%", "patients")
            else unit_key(unit) + "s",
            "timepoint": draft.timepoint,
            "timepoint_months": round(found[0].months, 2) if found else None,
            "evidence": _evidence(document, spans, draft),
        }
    )


def _intervention(
    document: Document,
    spans: Sequence[tuple[int, int]],
    draft: DraftIntervention,
    vocab: Vocabulary,
) -> Intervention:
    """Name the agent and its class as the vocabulary does (unknown ones stay)."""
    name = vocab.canonical_agent(draft.name) or draft.name
    own = vocab.agent_classes(name)
    named = vocab.canonical_class(draft.agent_class) if draft.agent_class else None
    return Intervention(
        name=name,
        agent_class=named or (own[0] if own else None),
        evidence=_evidence(document, spans, draft),
    )


def to_record(
    document: Document,
    spans: Sequence[tuple[int, int]],
    draft: DraftTrial,
    vocabulary: Vocabulary | None = None,
) -> TrialRecord:
    """Turn one drafted trial into a record grounded in ``document``.

    Agents, classes and subtypes are written as the vocabulary names them
    ('synovial sarcoma' -> 'SS').

    Raises:
        ValueError: a cited sentence or quote is not in the text, a number is
            not stated in its quote, or a value is implausible.
    """
    vocab = vocabulary or default_vocabulary()

    def label(items: Sequence[DraftLabel]) -> list[TextValue]:
        return [
            TextValue(value=i.value, evidence=_evidence(document, spans, i))
            for i in items
        ]

    def subtype(item: DraftLabel) -> TextValue:
        code = vocab.canonical_subtype(item.value) or item.value
        return TextValue(value=code, evidence=_evidence(document, spans, item))

    groups: dict[tuple[str, str], tuple[list[EndpointValue], list[CountValue]]] = (
        defaultdict(lambda: ([], []))
    )
    for item in draft.endpoints:
        groups[(item.level, item.group)][0].append(_endpoint(document, spans, item))
    for count in draft.counts:
        value = CountValue(
            kind=count.kind,
            value=count.value,
            evidence=_evidence(document, spans, count),
        )
        groups[(count.level, count.group)][1].append(value)
    trial_endpoints, trial_counts = groups.pop(("trial", ""), ([], []))
    record = TrialRecord(
        nct_ids=tuple(label(draft.nct_ids)),
        names=tuple(label(draft.names)),
        title=document.title,
        phase=tuple(
            PhaseValue.model_validate(
                {"value": p.value, "evidence": _evidence(document, spans, p)}
            )
            for p in draft.phase
        ),
        interventions=tuple(
            _intervention(document, spans, i, vocab) for i in draft.interventions
        ),
        subtypes=tuple(subtype(s) for s in draft.subtypes),
        counts=tuple(trial_counts),
        endpoints=tuple(trial_endpoints),
        arms=tuple(
            ArmResult(name=g, endpoints=tuple(e), counts=tuple(c))
            for (lv, g), (e, c) in groups.items()
            if lv == "arm"
        ),
        cohorts=tuple(
            CohortResult(
                name=g,
                subtype=vocab.canonical_subtype(g),
                endpoints=tuple(e),
                counts=tuple(c),
            )
            for (lv, g), (e, c) in groups.items()
            if lv != "arm"
        ),
        doc_ids=(document.id,),
        extractor="llm",
    )
    record = validate_record(record, {document.id: document.text})
    invented = ungrounded_numbers(record)
    if invented:
        raise ValueError("; ".join(invented))
    return record


def section_windows(
    document: Document, spans: Sequence[tuple[int, int]], limit: int = MAX_SENTENCES
) -> list[range]:
    """Group sentence numbers (1-based) into windows that follow section boundaries.

    Whole sections are packed together up to ``limit`` sentences, so a short paper
    is one call; a window never ends inside a section unless that section alone
    is longer than ``limit``, which is then cut into ``limit``-sized parts.
    """
    numbers = range(1, len(spans) + 1)
    sections = [
        list(group)
        for _, group in groupby(
            numbers, key=lambda n: document.section_at(spans[n - 1][0])
        )
    ]
    windows: list[list[int]] = []
    for section in sections:
        parts = [section[i : i + limit] for i in range(0, len(section), limit)]
        for part in parts:
            if windows and len(windows[-1]) + len(part) <= limit:
                windows[-1].extend(part)
            else:
                windows.append(list(part))
    return [range(w[0], w[-1] + 1) for w in windows]


def _window(
    model: BaseChatModel,
    document: Document,
    spans: Sequence[tuple[int, int]],
    numbers: range,
    vocab: Vocabulary,
) -> list[TrialRecord]:
    first = numbers.start
    messages = build_messages(document, spans[first - 1 : numbers.stop - 1], first)
    reason = ""
    for _attempt in range(2):
        reply = _reply_text(model, messages)
        try:
            trials = parse_reply(reply).trials
            return [to_record(document, spans, t, vocab) for t in trials]
        except (ValueError, ValidationError) as exc:
            reason = (
                validation_reason(exc) if isinstance(exc, ValidationError) else str(exc)
            )
            messages = [
                *messages,
                AIMessage(reply),
                HumanMessage(
                    f"That output was rejected: {reason}. "
                    "Reply again with corrected JSON only."
                ),
            ]
    raise ExtractionError(f"LLM output rejected twice: {reason}")


def extract_llm(
    document: Document, model: BaseChatModel, vocabulary: Vocabulary | None = None
) -> list[TrialRecord]:
    """Extract records with ``model``, section window by window; merge the partials.

    Raises:
        ExtractionError: the model's output failed validation or grounding twice.
    """
    vocab = vocabulary or default_vocabulary()
    spans = numbered_sentences(document)
    records: list[TrialRecord] = []
    for numbers in section_windows(document, spans):
        records.extend(_window(model, document, spans, numbers, vocab))
    merged = merge_records(records, vocab)
    return [r.model_copy(update={"key": ""}) for r in merged]
