"""Lists a sentence aligns value by value: 'respectively', 'X vs Y', time points.

'Median PFS was 1.7 and 4.1 months ... in the monotherapy and combination
groups, respectively': each endpoint's run of values follows the list of
groups in order. With no list in its clause, 'respectively' (or a bracketed
'(88% vs 85%)') follows the groups last listed, in this sentence or an earlier
one ('67% with pembrolizumab and 52% without it. Two-year overall survival was
88% and 85%, respectively'). In a single-arm trial a bracketed 'X vs Y' pair
compares subgroups the text does not name, so neither value is the trial's.
'The 12-month and 24-month ... rates were 28% and 15%' aligns time points.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from sarcolit.extraction.facts import Sentence
from sarcolit.extraction.groups import TRIAL, GroupRef
from sarcolit.extraction.values import Timepoint, timepoints

_RESPECTIVELY = re.compile(r"(?i)\brespectively\b")
_VS = re.compile(r"^\s*[)\]]?\s*(?:vs\.?|versus)\s*$")
_JOIN = re.compile(r"\s*(?:,|and|or|,\s*and)\s*")
# 'adding ipilimumab to nivolumab raised the response rate from 5% to 16%':
# the first value is the base regimen's, the second the combination's.
_ADDING = re.compile(
    r"(?i)\badding\s+(?P<added>[^,;]+?)\s+to\s+(?P<base>[^,;]+?)\s+(?:raised|"
    r"increased|improved|lifted|doubled|tripled|extended|prolonged|boosted)\b"
)
_FROM = re.compile(r"(?i)\bfrom\s*$")
_TO = re.compile(r"(?i)^\s*(?:[(\[][^)\]]*[)\]]\s*)?to\s*$")
Slot = tuple[int, int, str]
"""A value's start, where its brackets end, and its unit."""
Aligned = dict[int, GroupRef | Timepoint]


def _clause_of(text: str, sentence: Sentence, at: int) -> tuple[int, int]:
    left = max(text.rfind(";", sentence.start, at) + 1, sentence.start)
    right = text.find(";", at, sentence.end)
    return left, right if right >= 0 else sentence.end


def _clauses(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    cuts = [m.end() for m in re.finditer(";", text[sentence.start : sentence.end])]
    bounds = [sentence.start, *(sentence.start + c for c in cuts), sentence.end]
    return list(itertools.pairwise(bounds))


def point_list(text: str, left: int, right: int) -> list[Timepoint]:
    """'the 12-month and 24-month ... rates', 'at 12 months and 24 months'."""
    points = timepoints(text, left, right)
    for first, second in itertools.pairwise(points):
        if not _JOIN.fullmatch(text, first.end, second.start):
            return []
    return points if len(points) >= 2 else []


def _arm_sequence(refs: list[GroupRef], left: int, right: int) -> list[GroupRef]:
    return [r for r in refs if left <= r.start < right and r.level == "arm"]


def _respectively(
    text: str, sentence: Sentence, values: list[Slot], antecedent: tuple[GroupRef, ...]
) -> Aligned:
    aligned: Aligned = {}
    for cue in _RESPECTIVELY.finditer(text, sentence.start, sentence.end):
        left, right = _clause_of(text, sentence, cue.start())
        mine = [start for start, _, _ in values if left <= start < right]
        rates = [s for s, _, unit in values if left <= s < right and unit == "%"]
        lists = [refs for refs in sentence.lists if left <= refs[0].start < right]
        listed = lists[-1] if lists else _arm_sequence(sentence.groups, left, right)
        points = point_list(text, left, right)
        if len(points) >= 2 and len(rates) == len(points):
            aligned.update(dict(zip(rates, points, strict=True)))
            continue
        if len(listed) < 2:
            listed = list(antecedent)
        if len(listed) >= 2 and len(mine) % len(listed) == 0:
            for index, start in enumerate(mine):
                aligned[start] = listed[index % len(listed)]
    return aligned


def _pairs(
    text: str,
    sentence: Sentence,
    values: list[Slot],
    antecedent: tuple[GroupRef, ...],
    multi_arm: bool,
) -> Aligned:
    aligned: Aligned = {}
    for (first, after, _), (second, _, _) in itertools.pairwise(values):
        opened = text.rfind("(", sentence.start, first)
        bracketed = opened > text.rfind(")", sentence.start, first)
        if not (_VS.match(text[after:second]) and bracketed):
            continue
        if len(antecedent) == 2 and multi_arm:
            aligned[first], aligned[second] = antecedent
        else:
            aligned[first] = aligned[second] = replace(TRIAL, unknown=True)
    return aligned


def _from_to(text: str, sentence: Sentence, values: list[Slot]) -> Aligned:
    aligned: Aligned = {}
    adding = _ADDING.search(text, sentence.start, sentence.end)
    if adding is None:
        return aligned
    added = [m for m in sentence.agents if adding.start("added") <= m.start
             and m.end <= adding.end("added")]  # fmt: skip
    base = [m for m in sentence.agents if adding.start("base") <= m.start
            and m.end <= adding.end("base")]  # fmt: skip
    if not (added and base):
        return aligned
    both = tuple(dict.fromkeys([*base, *added]))
    for (first, after, unit), (second, _, other) in itertools.pairwise(values):
        if first < adding.end() or unit != other:
            continue
        if _FROM.search(text, sentence.start, first) and _TO.match(text[after:second]):
            aligned[first] = GroupRef(
                *adding.span("base"), "arm", adding.group("base"), agents=tuple(base)
            )
            aligned[second] = GroupRef(
                *adding.span("added"), "arm", " + ".join(m.value for m in both),
                agents=both,
            )  # fmt: skip
    return aligned


def align(
    text: str,
    sentence: Sentence,
    values: list[Slot],
    antecedent: tuple[GroupRef, ...],
    *,
    multi_arm: bool,
) -> Aligned:
    """Return the group or time point each listed value takes, by its start."""
    aligned = _respectively(text, sentence, values, antecedent)
    aligned.update(_from_to(text, sentence, values))
    for start, group in _pairs(text, sentence, values, antecedent, multi_arm).items():
        aligned.setdefault(start, group)
    for left, right in _clauses(text, sentence):
        points = point_list(text, left, right)
        mine = [
            s
            for s, _, unit in values
            if left <= s < right and s not in aligned and unit == "%"
        ]
        if len(points) >= 2 and len(mine) == len(points):
            aligned.update(dict(zip(mine, points, strict=True)))
    return aligned
