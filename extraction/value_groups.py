"""Which group a value or count of a sentence is stated for (see :mod:`binding`).

In order: its place in a 'respectively' list (or a 'vs' pair, or a list of time
points), the group phrase right after it ('16% in the combination group'), the
group phrase right before it since the previous value, the sentence's topic
('In UPS, ...'), and otherwise the trial.
"""

from __future__ import annotations

import re
from dataclasses import replace

from sarcolit.extraction.bound import Item, Scope, State
from sarcolit.extraction.facts import Sentence
from sarcolit.extraction.groups import TRIAL, GroupRef
from sarcolit.extraction.proximity import left_subtypes, right_subtype
from sarcolit.extraction.values import Timepoint, brackets_end

_GAP = re.compile(
    r"^[\s,)\]]*(?i:(?:evaluable|assessable|treated|eligible)\s+)?"
    r"(?i:patients|pts)?\s*(?:(?i:of|in)\s+(?:(?i:the|all)\s+)?(?:\d+\s+)?"
    r"(?i:patients|pts|those|participants)\s*)?"
    r"(?i:(?:in|among|for|of|on|with)\s+(?:the\s+|those\s+|each\s+|both\s+)?)?$"
)


def _right(
    refs: list[GroupRef], item: Item, items: list[Item], text: str
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


def _left(refs: list[GroupRef], item: Item, window: int, text: str) -> GroupRef | None:
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
    refs: list[GroupRef], item: Item, window: int, text: str
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


def sentence_topic(
    refs: list[GroupRef], sentence: Sentence, text: str
) -> GroupRef | None:
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


def eligible(refs: list[GroupRef], scope: Scope) -> list[GroupRef]:
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


def group_of(
    text: str,
    sentence: Sentence,
    item: Item,
    items: list[Item],
    refs: list[GroupRef],
    aligned: dict[int, GroupRef | Timepoint],
    topic: GroupRef | None,
    state: State,
    scope: Scope,
) -> GroupRef:
    """Return the group ``item`` is stated for; see the module docstring."""
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
