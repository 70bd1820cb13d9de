"""Bind the numbers of one sentence to endpoints, time points and groups.

A value after a comparator cue ('versus 4.4 months', 'compared to earlier data')
is the comparator's, not the trial's, and is dropped, unless the cue introduces
one of the trial's own arms ('16% ORR compared to 5% for nivolumab alone').
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sarcolit.core.models import EndpointName, Level
from sarcolit.core.vocabulary import Mention, Vocabulary
from sarcolit.extraction.facts import Sentence
from sarcolit.extraction.values import (
    NO_ENDPOINT,
    Keyword,
    Number,
    Timepoint,
    compatible,
    keyword_after,
    keywords,
    timepoints,
)

_COMPARATOR = re.compile(
    r"(?i)\b(?:versus|vs\.?|compared (?:with|to)|relative to|than|historical(?:ly)?|"
    r"previously reported|prior (?:trials?|studies)|earlier (?:data|trials?|studies)|"
    r"in (?:previous|earlier|prior) (?:trials?|studies))(?![\w])"
)
_GROUP_LEAD = re.compile(
    r"\s*\)?\s*(?:\(\s*\d+\s*/\s*\d+[^)]*\)\s*)?,?\s*(?:in|among|for|with)\s+"
    r"(?:the\s+|those\s+with\s+|patients\s+with\s+)?"
)
_GROUP_PHRASE = re.compile(
    r"((?:[\w+/-]+\s+){0,5}?(?:group|arm|cohort|subgroup|tumou?rs))\b"
)
_NOT_A_GROUP = re.compile(r"(?i)^(?:both|all|each|an?|overall|trial|study|phase)\b")
_TRIAL_WORDS = re.compile(r"(?i)\b(?:trial|study|phase)\b")
_ARM_WORDS = re.compile(r"(?i)\b(?:alone|monotherapy|arm|group)\b")
_CLAUSE_END = re.compile(r"[,.;)]")
_TRIAL_LEAD = re.compile(
    r"(?i)\b(?:advanced|metastatic|unresectable|trial|study|trial of|study of)"
    r"\s+(?:\w+\s+)?$"
)
_SUBJECT = re.compile(r"s?\s+(?:patients|cohorts?)\b")


@dataclass(frozen=True, slots=True)
class Group:
    """Where a value belongs: the trial, an arm or a cohort."""

    level: Level = "trial"
    name: str = ""
    subtype: str | None = None
    agents: tuple[Mention, ...] = ()
    from_left: bool = False


@dataclass(frozen=True, slots=True)
class Bound:
    """A value bound to its endpoint, time point and group."""

    number: Number
    family: str
    endpoint: EndpointName
    timepoint: Timepoint | None
    group: Group


@dataclass(frozen=True, slots=True)
class Scope:
    """What the context knows when a sentence's values are bound."""

    agents: frozenset[str]
    trial_subtypes: frozenset[str]
    first_results: bool
    vocab: Vocabulary


def endpoint_of(family: str, unit: str, vocab: Vocabulary) -> EndpointName | None:
    """Return the endpoint a keyword family takes for a value in ``unit``."""
    return vocab.endpoint_values(family).get(unit)


def _choose(
    found: list[Keyword], unit: str, vocab: Vocabulary, *, last: bool = True
) -> Keyword | None:
    ordered = reversed(found) if last else iter(found)
    for keyword in ordered:
        if keyword.family == NO_ENDPOINT and last:
            return keyword
        if compatible(keyword.family, unit, vocab):
            return keyword
    return None


def _family(
    text: str, sentence: Sentence, number: Number, window: int, scope: Scope,
    previous: Bound | None,
) -> tuple[str, int]:  # fmt: skip
    """Return the keyword family of a value and where its keyword ends."""
    vocab = scope.vocab
    if number.unit == "patients":
        # Only complete responses are counted in patients ('three CRs').
        patients = [
            f for f in vocab.endpoints if "patients" in vocab.endpoint_values(f)
        ]
        return (patients[0] if patients else NO_ENDPOINT), number.end
    stop = min(sentence.end, number.end + 40)
    right = keyword_after(text, number.end, stop, vocab)
    if right and (
        right.family == NO_ENDPOINT or compatible(right.family, number.unit, vocab)
    ):
        return right.family, right.end
    left = _choose(keywords(text, window, number.start, vocab), number.unit, vocab)
    if left:
        return left.family, number.end
    if previous and compatible(previous.family, number.unit, vocab):
        return previous.family, number.end
    anywhere = _choose(
        keywords(text, sentence.start, sentence.end, vocab),
        number.unit,
        vocab,
        last=False,
    )
    return (anywhere.family if anywhere else NO_ENDPOINT), number.end


def _timepoint(
    text: str, window: int, number: Number, endpoint: str, previous: Bound | None
) -> Timepoint | None:
    nearby = timepoints(text, window, min(len(text), number.end + 30))
    if endpoint in ("PFS_rate", "OS_rate"):
        if nearby:
            return min(nearby, key=lambda t: abs(t.start - number.start))
        return previous.timepoint if previous else None
    after = [
        t
        for t in nearby
        if 0 <= t.start - number.end <= 12 and text[t.start : t.start + 2] == "at"
    ]
    return after[0] if after else None


def _subtype_group(text: str, position: int, sentence: Sentence) -> Group | None:
    for mention in sentence.subtypes:
        gap = text[position : mention.start]
        near = 0 <= mention.start - position <= 25 and not _TRIAL_WORDS.search(gap)
        if near and all(w.isalpha() for w in gap.split()):
            return Group("cohort", mention.value, mention.value)
    return None


def _right_group(
    text: str, position: int, sentence: Sentence, scope: Scope
) -> Group | None:
    lead = _GROUP_LEAD.match(text, position, sentence.end)
    if lead is None:
        return None
    subtype = _subtype_group(text, lead.end(), sentence)
    if subtype:
        only = {m.value for m in sentence.subtypes} == {subtype.name}
        sole = scope.trial_subtypes == {subtype.name}
        # 'an ORR of 43.2% in synovial sarcoma' in the trial's own sentence.
        return (
            Group()
            if sole or (only and scope.first_results and sentence.anchor)
            else subtype
        )
    clause = _CLAUSE_END.search(text, lead.end(), sentence.end)
    stop = clause.start() if clause else sentence.end
    agents = tuple(a for a in sentence.agents if lead.end() <= a.start < stop)
    names = {a.value for a in agents}
    if agents and names < scope.agents and _ARM_WORDS.search(text, lead.end(), stop):
        return Group("arm", " + ".join(sorted(names)), None, agents)
    phrase = _GROUP_PHRASE.match(text, lead.end(), stop)
    named = phrase.group(1) if phrase else ""
    if named and not agents and not _NOT_A_GROUP.match(named):
        return None if _TRIAL_WORDS.search(named) else Group("cohort", named.strip())
    return None


def _describes_trial(
    text: str, mention: Mention, first: bool, vocab: Vocabulary
) -> bool:
    """'trial of advanced ASPS', 'in advanced STS': the trial, not a cohort."""
    if vocab.is_broad(mention.value) or _TRIAL_LEAD.search(
        text, max(0, mention.start - 25), mention.start
    ):
        return True
    return first and not _SUBJECT.match(text, mention.end)


def _left_group(
    text: str, window: int, number: Number, sentence: Sentence, scope: Scope
) -> Group | None:
    first = scope.first_results and window == sentence.start
    names = []
    for mention in sentence.subtypes:
        if not window <= mention.start < number.start or mention.value in names:
            continue
        if not _describes_trial(text, mention, first, scope.vocab):
            names.append(mention.value)
    if not names:
        return None
    if set(names) <= scope.trial_subtypes and len(scope.trial_subtypes) == 1:
        return None
    subtype = names[0] if len(names) == 1 else None
    return Group("cohort", "/".join(names), subtype, from_left=True)


def bind(text: str, sentence: Sentence, scope: Scope) -> tuple[list[Bound], list[str]]:
    """Bind every value of ``sentence``; return the values and why others were dropped.

    On the first sentence with results, subtypes named before the first value
    describe the trial ('84 STS patients ... had an ORR of 18%'); later, a
    subtype before or right after a value makes it a cohort's.
    """
    bound: list[Bound] = []
    notes: list[str] = []
    window = sentence.start
    previous: Bound | None = None
    last_group: Group | None = None
    for number in sentence.numbers:
        start_window = window
        family, consumed = _family(text, sentence, number, window, scope, previous)
        endpoint = endpoint_of(family, number.unit, scope.vocab)
        cue = _COMPARATOR.search(text, window, number.start)
        group = _right_group(text, consumed, sentence, scope)
        if cue and not (group and group.level == "arm"):
            notes.append(
                f"comparator value {text[number.start : number.end]!r} not taken"
            )
            window = consumed
            continue
        if group is None:
            group = _left_group(text, window, number, sentence, scope)
        if group is None and last_group and last_group.from_left:
            group = last_group
        window = consumed
        last_group = group
        if endpoint is None:
            continue
        timepoint = _timepoint(text, start_window, number, endpoint, previous)
        previous = Bound(number, family, endpoint, timepoint, group or Group())
        bound.append(previous)
    return _arms_compared(bound), notes


def _arms_compared(bound: list[Bound]) -> list[Bound]:
    """In '16% compared to 5% for X alone', the 16% is the full regimen's arm."""
    if not any(b.group.level == "arm" and b.group.agents for b in bound):
        return bound
    full = Group("arm", "", None, ())
    return [
        Bound(b.number, b.family, b.endpoint, b.timepoint, full)
        if b.group.level == "trial"
        else b
        for b in bound
    ]
