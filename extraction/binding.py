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
one of the trial's own arms. The group rules live in :mod:`value_groups`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from sarcolit.extraction.bound import Binding, Bound, Item, Scope, State
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
from sarcolit.extraction.value_groups import eligible, group_of, sentence_topic
from sarcolit.extraction.values import Number, Timepoint, timepoints

_COMPARATOR = re.compile(
    r"(?i)\b(?:versus|vs\.?|compared (?:with|to)|relative to|than|against|"
    r"historical(?:ly)?|previously reported|prior (?:trials?|studies)|"
    r"earlier (?:data|trials?|studies)|in (?:previous|earlier|prior) (?:trials?|"
    r"studies)|in other (?:tumou?r types|cancers))(?![\w])"
)
_ANAPHORA = re.compile(
    r"(?i)\W*(?:it|this|that|the\s+(?:rate|proportion|figure|estimate|value))\b"
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


def _is_per_event(text: str, sentence: Sentence, number: Number) -> bool:
    """'neutropenia (6/40, 15%)', 'Anaemia (six [14%])': a rate of one event."""
    if _PER_EVENT.search(text, sentence.start, sentence.end):
        return True
    event = _EVENT.search(text, max(sentence.start, number.start - 40), number.start)
    return event is not None and not _PATIENT_WORDS.match(event.group(1))


def _carry(group: GroupRef, item: Item, state: State, scope: Scope) -> GroupRef:
    """In a review, 'ASPS patients had an ORR of X and a median PFS of Y': Y too."""
    if not scope.loose or item.number is None:
        return group
    if group.level == "trial" and state.carried:
        return state.carried
    if group.level == "cohort":
        state.carried = None if group.start > item.start or group.headed else group
    return group


def bind(text: str, sentence: Sentence, scope: Scope) -> Binding:
    """Bind every value and count of ``sentence``; see the module docstring."""
    binding = Binding()
    refs = eligible(sentence.groups, scope)
    items = _items(sentence, scope)
    values = [
        (i.start, i.after, i.number.unit)
        for i in items
        if i.number is not None and i.number.unit != "patients"
    ]
    aligned = align(text, sentence, values, scope.antecedent, multi_arm=scope.multi_arm)
    topic = sentence_topic(refs, sentence, text)
    state = State(sentence.start, sentence.start)
    inherited = (
        scope.previous if _ANAPHORA.match(text, sentence.content_start) else None
    )
    if inherited and keywords(text, sentence.start, sentence.end, scope.find):
        inherited = None
    for item in items:
        group = group_of(
            text, sentence, item, items, refs, aligned, topic, state, scope
        )
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


def _items(sentence: Sentence, scope: Scope) -> list[Item]:
    text_items = (
        [Item(n.start, n.end, n.after or n.end, number=n) for n in sentence.numbers]
        if scope.values
        else []
    )
    covered = [(n.start, n.after or n.end) for n in sentence.numbers if n.fraction]
    for count in sentence.counts:
        if scope.values and any(s < count.end and count.start < e for s, e in covered):
            continue  # the value's fraction gives this count
        text_items.append(Item(count.start, count.end, count.end, count=count))
    return sorted(text_items, key=lambda i: i.start)


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
