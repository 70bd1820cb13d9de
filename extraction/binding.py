"""Bind the values and counts of one sentence to endpoints, time points and groups.

The endpoint of a value is, in order: the keyword right after it ('25% ORR'),
the last keyword before it since the previous value ('an ORR of 18%'), the
previous value's endpoint ('36.8% in LMS, 69.6% in LPS'), and the first
keyword of the sentence. A sentence with no keyword that refers back ('It was
highest in ...', 'The rate was 80% ...') continues the previous sentence's
endpoint.

The group of a value or count is, in order: its place in a 'respectively'
list (or a 'vs' pair, or a list of time points), the group phrase right after
it ('16% in the combination group'), the group phrase right before it since
the previous value, the sentence's topic ('In UPS, ...'), and otherwise the
trial. A value after a comparator cue ('versus 4.4 months', 'compared with
earlier data') is the comparator's and is dropped, unless the cue introduces
one of the trial's own arms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from sarcolit.core.models import EndpointName
from sarcolit.extraction.counts import Count
from sarcolit.extraction.facts import Sentence
from sarcolit.extraction.groups import TRIAL, GroupRef
from sarcolit.extraction.keywords import (
    NO_ENDPOINT,
    Keyword,
    compatible,
    keyword_after,
    keywords,
)
from sarcolit.extraction.lists import align
from sarcolit.extraction.mentions import Finder
from sarcolit.extraction.numbers import NUMBER
from sarcolit.extraction.proximity import left_subtypes, right_subtype
from sarcolit.extraction.values import Number, Timepoint, brackets_end, timepoints

_COMPARATOR = re.compile(
    r"(?i)\b(?:versus|vs\.?|compared (?:with|to)|relative to|than|against|"
    r"historical(?:ly)?|previously reported|prior (?:trials?|studies)|"
    r"earlier (?:data|trials?|studies)|in (?:previous|earlier|prior) (?:trials?|"
    r"studies)|in other (?:tumou?r types|cancers))(?![\w])"
)
_ANAPHORA = re.compile(
    r"(?i)\W*(?:it|this|that|the\s+(?:rate|proportion|figure|estimate|value))\b"
)
_GAP = re.compile(
    r"^[\s,)\]]*(?i:(?:evaluable|assessable|treated|eligible)\s+)?"
    r"(?i:patients|pts)?\s*(?:(?i:of|in)\s+(?:(?i:the|all)\s+)?(?:\d+\s+)?"
    r"(?i:patients|pts|those|participants)\s*)?"
    r"(?i:(?:in|among|for|of|on|with)\s+(?:the\s+|those\s+|each\s+|both\s+)?)?$"
)
_EVENT = re.compile(
    r"([A-Za-z][\w-]*)\s*[(\[]\s*(?:\d+\s*/\s*\d+\s*,\s*|[A-Za-z-]+\s*[\[(]\s*|"
    r"n\s*=\s*\d+\s*,\s*)?$"
)
_PATIENT_WORDS = re.compile(
    r"(?i)^(?:patients?|pts|participants|subjects|\d+|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve|\w+teen|twenty\S*|thirty\S*|forty\S*|"
    r"fifty\S*|sixty\S*|seventy\S*|eighty\S*|ninety\S*)$"
)
_PER_EVENT = re.compile(
    r"(?i)\b(?:commonest|most\s+(?:common|frequent)|each\s+reached|included|"
    r"such\s+as|laboratory\s+abnormalities)\b"
)


_SHARE_OF_COUNT = re.compile(r"\s*(?:(?i:patients?|pts|participants)\s*)?[(\[]\s*$")
"""Between a count and its share: 'complete in two patients (12%)'."""

_NOUN_SHARE = re.compile(
    rf"(?<![\w.])(?:{NUMBER})\s+(?!(?i:patients?|pts|participants|subjects)\b)"
    r"([A-Za-z][\w-]*)\s*[(\[]\s*$"
)
"""A share of a counted noun: '12 women [60%]', '2 CRs (12%)'."""


def _share_of(count: Bound, number: Number, text: str) -> bool:
    """Is ``number`` the share written right after a count of patients?"""
    end = count.number.end
    return end <= number.start and bool(_SHARE_OF_COUNT.match(text[end : number.start]))


@dataclass(frozen=True, slots=True)
class Bound:
    """A value bound to its endpoint, time point and group."""

    number: Number
    family: str
    endpoint: EndpointName
    timepoint: Timepoint | None
    group: GroupRef = TRIAL


@dataclass(frozen=True, slots=True)
class Scope:
    """What the context knows when a sentence's values are bound."""

    find: Finder
    """The vocabulary's finders for this document."""
    agents: frozenset[str] = frozenset()
    population: frozenset[str] = frozenset()
    """Subtypes that are the whole trial's population: no cohort of their own."""
    first_results: bool = False
    multi_arm: bool = False
    """The trial has arms, so 'with the combination' names one."""
    loose: bool = False
    """A review: a subtype next to a value qualifies it (see :mod:`proximity`)."""
    values: bool = True
    """False in a Methods section: only counts are read."""
    antecedent: tuple[GroupRef, ...] = ()
    """The groups last listed, for a later 'respectively' or 'vs' pair."""
    previous: Bound | None = None
    """The last value of the previous sentence, for 'It was highest in ...'."""
    default: GroupRef = TRIAL
    cohorts: frozenset[str] = frozenset()
    """Subtypes the trial is known to enrol as separate cohorts."""


@dataclass
class Binding:
    """The bound values and counts of a sentence, and what it leaves for the next."""

    values: list[Bound] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    antecedent: tuple[GroupRef, ...] = ()


def _choose(
    found: list[Keyword], unit: str, find: Finder, *, last: bool = True
) -> Keyword | None:
    ordered = reversed(found) if last else iter(found)
    for keyword in ordered:
        if keyword.family == NO_ENDPOINT and last:
            return keyword
        if compatible(keyword.family, unit, find):
            return keyword
    return None


def _family(
    text: str,
    sentence: Sentence,
    number: Number,
    window: int,
    previous: Bound | None,
    find: Finder,
) -> str:
    """Return the keyword family of a value."""
    if number.unit == "patients":
        return find.counted_in_patients()
    if (
        previous is not None
        and previous.number.unit == "patients"
        and _share_of(previous, number, text)
        and compatible(previous.family, number.unit, find)
    ):
        return previous.family  # 'complete in two patients (12%)': the same share
    noun = _NOUN_SHARE.search(
        text, max(sentence.start, number.start - 40), number.start
    )
    if noun and not find.keyword_at(text, noun.start(1), number.start):
        return NO_ENDPOINT  # '12 women [60%]': a share of something not an endpoint
    right = keyword_after(text, number.after or number.end, sentence.end, find)
    if right and (
        right.family == NO_ENDPOINT or compatible(right.family, number.unit, find)
    ):
        return right.family
    left = _choose(keywords(text, window, number.start, find), number.unit, find)
    if left:
        return left.family
    if previous and compatible(previous.family, number.unit, find):
        return previous.family
    anywhere = _choose(
        keywords(text, sentence.start, sentence.end, find),
        number.unit,
        find,
        last=False,
    )
    return anywhere.family if anywhere else NO_ENDPOINT


def _timepoint(
    text: str,
    window: int,
    number: Number,
    endpoint: str,
    previous: Bound | None,
    stop: int,
) -> Timepoint | None:
    if endpoint not in ("PFS_rate", "OS_rate"):
        return None
    nearby = timepoints(text, window, max(min(stop, number.end + 60), number.end))
    after = number.after or number.end
    written_after = [t for t in nearby if 0 <= t.start - after <= 2]
    if written_after:
        return written_after[0]  # '15% (95% CI 7-26) at 24 months'
    if nearby:
        return min(nearby, key=lambda t: abs(t.start - number.start))
    return previous.timepoint if previous else None


@dataclass(frozen=True, slots=True)
class _Item:
    """A value or a count, with where its qualifiers may start."""

    start: int
    end: int
    after: int
    number: Number | None = None
    count: Count | None = None


def _right(
    refs: list[GroupRef], item: _Item, items: list[_Item], text: str
) -> GroupRef | None:
    following = [i.start for i in items if i.start > item.start]
    limit = min(following) if following else None
    for ref in refs:
        if ref.start < item.end or (limit is not None and ref.start >= limit):
            continue
        gap = (
            text[max(item.after, item.end) : ref.start]
            if ref.start > item.after
            else ""
        )
        if _GAP.match(gap) and len(gap) <= 30:
            return ref
        return None
    return None


_LEFT_GAP = re.compile(r"[\s,(\[:]*")
_TOPIC_LEAD = re.compile(r"(?i)\W*(?:(?:in|for|among|within)\s+)?(?:(?:the|an?)\s+)?")


def _left(refs: list[GroupRef], item: _Item, window: int, text: str) -> GroupRef | None:
    """A group named right before the value: 'among the 11 with ASPS (54.5%)'.

    'four (40%) of ten with UPS, one of whose responses was complete': a value
    right after a group (only punctuation between) is that group's too.
    """
    before = [r for r in refs if r.end <= item.start]
    if not before:
        return None
    ref = before[-1]
    return ref if _LEFT_GAP.fullmatch(text, ref.end, item.start) else None


_SUBJECT_VERB = re.compile(r"\s+(?:had|have|showed|achieved|reached)\b")
_CLAUSE_LEAD = re.compile(r"(?:[,;:]|\b(?:and|but|while|whereas))\s*$")


def _clause_topic(
    refs: list[GroupRef], item: _Item, window: int, text: str
) -> GroupRef | None:
    """A group opening the clause since the previous value.

    '..., and in the UPS cohort 2 of 10 did (ORR 20%)': the 20% is the UPS
    cohort's, not the group the sentence opened with.
    """
    between = [r for r in refs if window <= r.start and r.end <= item.start]
    if not between:
        return None
    ref = between[-1]
    lead = text[max(0, ref.start - 12) : ref.start]
    opens = ref.level == "cohort" and text[ref.start : ref.start + 5].lower() in (
        "in th", "among", "for t"
    )  # fmt: skip
    if _SUBJECT_VERB.match(text, ref.end):
        return ref  # 'sarcomas such as chordoma had a 12-week PFS of 80%'
    return ref if opens and _CLAUSE_LEAD.search(lead) else None


def _topic(refs: list[GroupRef], sentence: Sentence, text: str) -> GroupRef | None:
    """The group a sentence opens with: 'In UPS, ...', 'In the MRCLS subgroup the'."""
    lead = _TOPIC_LEAD.match(text, sentence.content_start)
    at = lead.end() if lead else sentence.content_start
    for ref in refs:
        if (
            ref.start <= at + 1
            and ref.end > at
            and (
                ref.headed
                or text[ref.end : ref.end + 2].strip().startswith(",")
                or ref.level == "cohort"
            )
        ):
            return ref
    return None


def _is_per_event(text: str, sentence: Sentence, number: Number) -> bool:
    """'neutropenia (6/40, 15%)', 'Anaemia (six [14%])': a rate of one event."""
    if _PER_EVENT.search(text, sentence.start, sentence.end):
        return True
    event = _EVENT.search(text, max(sentence.start, number.start - 40), number.start)
    return event is not None and not _PATIENT_WORDS.match(event.group(1))


def _eligible(refs: list[GroupRef], scope: Scope) -> list[GroupRef]:
    """Arms count only in a multi-arm trial, or named as an arm or as 'X alone'."""
    kept = []
    for ref in refs:
        names = {a.value for a in ref.agents}
        part = bool(names) and names < scope.agents and ref.role == "control"
        if ref.level != "arm" or ref.headed or scope.multi_arm or part:
            kept.append(ref)
    return kept


def _collapse(group: GroupRef, scope: Scope) -> GroupRef:
    """A cohort that is the whole trial population is the trial.

    So is an unqualified soft-tissue or bone sarcoma ('30 patients with STS')
    unless the trial has several such populations ('For soft-tissue sarcoma, ...'
    in a two-cohort trial).
    """
    if (
        group.level != "cohort"
        or group.headed
        or group.qualifiers
        or not group.subtypes
    ):
        return group
    subtypes = set(group.subtypes)
    broad = all(scope.find.vocab.is_broad(s) for s in subtypes)
    umbrella = broad and not scope.cohorts & subtypes
    if subtypes <= scope.population or umbrella:
        return replace(TRIAL, start=group.start, end=group.end)
    return group


def _carry(group: GroupRef, item: _Item, state: _State, scope: Scope) -> GroupRef:
    """In a review, 'ASPS patients had an ORR of X and a median PFS of Y': Y too."""
    if not scope.loose or item.number is None:
        return group
    if group.level == "trial" and state.carried:
        return state.carried
    if group.level == "cohort":
        state.carried = None if group.start > item.start or group.headed else group
    return group


@dataclass
class _State:
    """Where the previous values of a sentence leave off."""

    window: int
    """Keywords before this point belong to earlier values."""
    proximity: int
    """Subtypes before this point were already given to a value (reviews)."""
    previous: dict[str, Bound] = field(default_factory=dict)
    """The last value bound for each unit: a list goes on in its own unit."""
    carried: GroupRef | None = None


def bind(text: str, sentence: Sentence, scope: Scope) -> Binding:
    """Bind every value and count of ``sentence``; see the module docstring."""
    binding = Binding()
    refs = _eligible(sentence.groups, scope)
    items = _items(sentence, scope)
    values = [
        (i.start, i.after, i.number.unit)
        for i in items
        if i.number is not None and i.number.unit != "patients"
    ]
    aligned = align(text, sentence, values, scope.antecedent, multi_arm=scope.multi_arm)
    topic = _topic(refs, sentence, text)
    state = _State(sentence.start, sentence.start)
    inherited = (
        scope.previous if _ANAPHORA.match(text, sentence.content_start) else None
    )
    if inherited and keywords(text, sentence.start, sentence.end, scope.find):
        inherited = None
    for item in items:
        group = _group(text, sentence, item, items, refs, aligned, topic, state, scope)
        group = _carry(group, item, state, scope)
        if item.count is not None:
            binding.counts.append(replace(item.count, group=group))
            continue
        number = item.number
        assert number is not None
        count = state.previous.get("patients")
        if number.unit == "%" and count is not None and _share_of(count, number, text):
            previous: Bound | None = count
        else:
            previous = state.previous.get(number.unit) or inherited
        bound, note = _bind_value(
            text, sentence, number, state.window, previous, group, aligned, scope
        )
        state.window = max(state.window, item.after)
        state.proximity = max(state.proximity, item.after)
        if group.start > item.start:
            state.proximity = max(state.proximity, group.end)
        if note:
            binding.notes.append(note)
        if bound is None:
            continue
        state.previous[number.unit] = bound
        binding.values.append(bound)
        if number.fraction:
            binding.counts.append(
                Count(number.start, number.after, number.fraction[1], "n_evaluable",
                      bound.group)
            )  # fmt: skip
    binding.values = _arms_compared(binding.values)
    arms = [r for r in refs if r.level == "arm"]
    binding.antecedent = tuple(arms) if len(arms) >= 2 else scope.antecedent
    if sentence.lists:
        binding.antecedent = tuple(sentence.lists[-1])
    return binding


def _items(sentence: Sentence, scope: Scope) -> list[_Item]:
    text_items = (
        [_Item(n.start, n.end, n.after or n.end, number=n) for n in sentence.numbers]
        if scope.values
        else []
    )
    covered = [(n.start, n.after or n.end) for n in sentence.numbers if n.fraction]
    for count in sentence.counts:
        if scope.values and any(s < count.end and count.start < e for s, e in covered):
            continue  # the value's fraction gives this count
        text_items.append(_Item(count.start, count.end, count.end, count=count))
    return sorted(text_items, key=lambda i: i.start)


def _group(
    text: str,
    sentence: Sentence,
    item: _Item,
    items: list[_Item],
    refs: list[GroupRef],
    aligned: dict[int, GroupRef | Timepoint],
    topic: GroupRef | None,
    state: _State,
    scope: Scope,
) -> GroupRef:
    found = aligned.get(item.start)
    if isinstance(found, GroupRef):
        return _collapse(found, scope)
    if item.count is not None and item.count.group is not None:
        return _collapse(item.count.group, scope)
    around = [r for r in refs if r.start <= item.start and item.end <= r.end]
    if around:
        return _collapse(around[0], scope)  # 'the ten patients with LMS'

    after = brackets_end(text, item.after, sentence.end)
    probe = replace(item, after=after)
    group = (
        _right(refs, probe, items, text)
        or _left(refs, item, state.window, text)
        or _clause_topic(refs, item, state.window, text)
    )
    if group is None and scope.loose and item.number is not None:
        group = right_subtype(text, after, sentence.end, sentence.subtypes)

        first = scope.first_results and state.proximity == sentence.start
        group = group or left_subtypes(
            text, state.proximity, item.number, sentence.subtypes, first,
            scope.find.vocab,
        )  # fmt: skip
    group = group or topic or scope.default
    if scope.loose and _sole(group, sentence, scope):
        return scope.default  # 'the trial ... 43.2% in synovial sarcoma'
    return _collapse(group, scope)


def _sole(group: GroupRef, sentence: Sentence, scope: Scope) -> bool:
    """In a review's first results sentence, the only subtype named is the trial's."""
    if group.level != "cohort" or group.headed or not group.subtypes:
        return False
    named = {m.value for m in sentence.subtypes}
    return scope.first_results and sentence.anchor and named == set(group.subtypes)


def _bind_value(
    text: str,
    sentence: Sentence,
    number: Number,
    window: int,
    previous: Bound | None,
    group: GroupRef,
    aligned: dict[int, GroupRef | Timepoint],
    scope: Scope,
) -> tuple[Bound | None, str]:
    family = _family(text, sentence, number, window, previous, scope.find)
    endpoint = scope.find.endpoint_of(family, number.unit)
    cue = _COMPARATOR.search(text, window, number.start)
    if cue and group.level != "arm" and number.start not in aligned:
        return None, f"comparator value {text[number.start : number.end]!r} not taken"
    if endpoint is None or group.unknown:
        return None, ""
    if endpoint == "grade3plus_AE" and _is_per_event(text, sentence, number):
        return None, ""
    point = aligned.get(number.start)
    timepoint = point if isinstance(point, Timepoint) else None
    if endpoint in ("PFS_rate", "OS_rate") and timepoint is None:
        following = [n.start for n in sentence.numbers if n.start > number.start]
        clause = text.find(";", number.end, sentence.end)
        stop = min([*following, clause if clause >= 0 else sentence.end])
        timepoint = _timepoint(text, window, number, endpoint, previous, stop)
    return Bound(number, family, endpoint, timepoint, group), ""


def _arms_compared(bound: list[Bound]) -> list[Bound]:
    """In '16% ORR compared to 5% for nivolumab alone', the 16% is the full regimen's.

    When a sentence gives one arm a value, its trial-level value for the same
    endpoint is the other arm's: the experimental one.
    """
    arm_endpoints = {b.endpoint for b in bound if b.group.level == "arm"}
    if not arm_endpoints:
        return bound
    full = replace(TRIAL, level="arm", role="experimental", name="combination")
    return [
        replace(b, group=full)
        if b.group.level == "trial" and b.endpoint in arm_endpoints
        else b
        for b in bound
    ]
