"""Who a value is stated for: the trial, an arm or a cohort, as the sentence says.

A :class:`GroupRef` is a phrase naming a population; :func:`classify` tells
what a phrase names: an arm (by its agents or its role, 'combination',
'control'), a cohort (by its subtype, or a free name such as 'other sarcomas'),
or the trial ('all patients'). A population the grammar cannot name ('in
chemotherapy-sensitive subtypes') is ``unknown``: a value stated for it belongs
to no group sarcolit records. The phrases are found in a sentence by
:mod:`group_phrases`; binding (:mod:`binding`) decides which value a phrase
qualifies; the record builder turns arm roles ('combination', 'control') into
agents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sarcolit.core.models import Level
from sarcolit.core.vocabulary import Mention
from sarcolit.extraction.mentions import Finder

_GENERIC = re.compile(
    r"(?i)^(?:(?:histolog\w*|histotypes?|disease|subtype(?:-specific)?|treatment|"
    r"dose|expansion|phase|study|trial|investigational|main|additional|initial|"
    r"original|separate|randomi[sz]ed|predefined|two|three|four|five|biolog\w*|"
    r"\w+-specific|selected)\s*)+$"
)
_TRIAL_WORDS = re.compile(
    r"(?i)^(?:overall|whole|entire|efficacy|intention-to-treat|modified|interim|"
    r"safety|evaluable|total|full|per-protocol|primary analysis)\b"
)
_EXPERIMENTAL = re.compile(
    r"(?i)^(?:experimental|investigational|intervention|combination|combined|"
    r"doublet|dual|triplet|two drugs|both drugs|two agents|antibody)\b"
)
_CONTROL = re.compile(
    r"(?i)^(?:control|standard|placebo|comparator|monotherapy|single[- ]agent|"
    r"observation|usual care)\b"
)
_ORGAN = re.compile(r"(?i)(soft[- ]tissue|bone)(?:\s+sarcomas?)?$")
_GENERIC_POPULATION = re.compile(
    r"(?i)(?:(?:advanced|metastatic|unresectable|refractory|recurrent|locally|"
    r"previously|treated|pretreated|inoperable|selected|mixed)\s+)*"
    r"(?:sarcomas?|disease|cancers?|tumou?rs|solid\s+tumou?rs)"
)
NAMEABLE = re.compile(
    r"(?i)\b(?:other|remaining|tumou?rs?|sarcomas?|sites?|primar\w*|scalp|face|skin|"
    r"classic\w*|endemic)\b"
)
"""Words that make a free phrase a group sarcolit can name ('other sarcomas')."""
_QUALIFIER_STOP = frozenset(
    [
        "advanced",
        "metastatic",
        "unresectable",
        "high-grade",
        "low-grade",
        "grade",
        "previously",
        "treated",
        "refractory",
        "recurrent",
        "locally",
        "inoperable",
        "stage",
        "iii",
        "the",
        "with",
        "of",
        "and",
        "or",
        "patients",
        "those",
        "evaluable",
        "assessable",
        "expanded",
        "expansion",
        "initial",
        "additional",
        "original",
        "whole",
        "overall",
    ]
)


@dataclass(frozen=True, slots=True)
class GroupRef:
    """A phrase naming the population a value or count is stated for."""

    start: int
    end: int
    level: Level
    name: str = ""
    subtypes: tuple[str, ...] = ()
    agents: tuple[Mention, ...] = ()
    role: str = ""
    """'experimental' or 'control' for an arm named by its role, else ''."""
    headed: bool = False
    """Named with 'group', 'arm', 'cohort' or 'subgroup'."""
    distributive: bool = False
    """'each group', 'five each with A, B and C': holds for every group named."""
    count: int | None = None
    """'the ten patients with ASPS': the group's size, stated in the phrase."""
    qualifiers: tuple[str, ...] = ()
    unknown: bool = False
    """A population sarcolit cannot name: values stated for it are dropped."""
    labelled: bool = False
    """The label of a table row ('Alliance A091401, nivolumab arm')."""


TRIAL = GroupRef(0, 0, "trial")


def qualifiers_of(words: str) -> tuple[str, ...]:
    """Return the words that qualify a subtype ('classic', 'uterine')."""
    found = [w.lower() for w in re.findall(r"[A-Za-z][\w-]*", words)]
    return tuple(w for w in found if w not in _QUALIFIER_STOP and len(w) > 2)


def classify(
    text: str, start: int, end: int, find: Finder, *, headed: bool = False
) -> GroupRef:
    """Return the group ``text[start:end]`` names: an arm, a cohort or the trial."""
    phrase = text[start:end].strip(" ,")
    agents = tuple(find.agents(text, start, end))
    subtypes = [s for s in find.subtypes(text, start, end)]
    if agents:
        return GroupRef(start, end, "arm", phrase, agents=agents, headed=headed)
    if _EXPERIMENTAL.match(phrase):
        return GroupRef(start, end, "arm", phrase, role="experimental", headed=headed)
    if _CONTROL.match(phrase):
        return GroupRef(start, end, "arm", phrase, role="control", headed=headed)
    if subtypes:
        canonical = tuple(dict.fromkeys(s.value for s in subtypes))
        lead = qualifiers_of(text[start : subtypes[0].start])
        return GroupRef(
            start, end, "cohort", phrase, canonical, headed=headed, qualifiers=lead
        )
    if _GENERIC_POPULATION.fullmatch(phrase):
        return GroupRef(start, end, "trial", phrase, headed=headed)
    organ = _ORGAN.match(phrase)
    code = find.vocab.canonical_subtype(f"{organ.group(1)} sarcoma") if organ else None
    if code is not None:
        return GroupRef(start, end, "cohort", phrase, (code,), headed=headed)
    if not phrase or _TRIAL_WORDS.match(phrase):
        return GroupRef(start, end, "trial", phrase, headed=headed)
    if _GENERIC.match(phrase) or not NAMEABLE.search(phrase):
        return GroupRef(start, end, "cohort", phrase, headed=headed, unknown=True)
    return GroupRef(start, end, "cohort", _clean(phrase), headed=headed)


def _clean(phrase: str) -> str:
    phrase = re.sub(r"(?i)-(?=sarcoma)", " ", phrase)
    if re.match(r"(?i)other[- ]sarcomas?$", phrase):
        return "other sarcomas"
    return phrase
