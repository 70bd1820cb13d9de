"""Pair gold arms and cohorts with predicted ones, one to one.

A group is known by what it is made of: an arm by its agents, a cohort by its
subtypes, both by the words that qualify them ('classic' Kaposi sarcoma,
'uterine' leiomyosarcoma, 'other primary sites'). Pairs are made in rounds,
strictest first, and a round pairs a gold group only when exactly one free
predicted group qualifies:

1. the same name, letters and digits only ('Cutaneous, scalp or face');
2. the same agents, subtypes and qualifying words;
3. the same agents (arms) or the same subtypes (cohorts);
4. for arms, the one arm on each side with no agent of the vocabulary (the
   control arm: 'radiotherapy + surgery' and 'control group');
5. one name contained in the other.

A predicted group left unpaired states values the gold record does not have
for any group: each of its fields is a false positive.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sarcolit.core.vocabulary import Vocabulary
from sarcolit.evals.gold import GoldGroup

_WORD = re.compile(r"[a-z][a-z-]{2,}")
# Words that name the kind of group or join its parts, not what it is.
_GENERIC = frozenset(
    [
        "patients",
        "patient",
        "cohort",
        "cohorts",
        "group",
        "groups",
        "arm",
        "arms",
        "subgroup",
        "subgroups",
        "the",
        "and",
        "with",
        "without",
        "who",
        "had",
        "those",
        "for",
        "all",
        "plus",
        "alone",
        "monotherapy",
        "combination",
        "disease",
        "sarcoma",
        "sarcomas",
        "tumour",
        "tumours",
        "tumor",
        "tumors",
    ]
)


@dataclass(frozen=True, slots=True)
class GroupIdentity:
    """What an arm or cohort name says the group is made of."""

    name: str
    agents: frozenset[str]
    subtypes: frozenset[str]
    qualifiers: frozenset[str]

    @property
    def members(self) -> frozenset[str]:
        """Return the agents of an arm, else the subtypes of a cohort."""
        return self.agents or self.subtypes


def alnum(text: str) -> str:
    """Return the letters and digits of ``text``, case-folded."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def identity(name: str, vocab: Vocabulary) -> GroupIdentity:
    """Return the agents, subtypes and qualifying words of a group name."""
    agents = vocab.find_agents(name)
    subtypes = vocab.find_subtypes(name)
    rest = name
    for mention in sorted([*agents, *subtypes], key=lambda m: -m.start):
        rest = rest[: mention.start] + " " + rest[mention.end :]
    codes = {s.value for s in subtypes}
    # A name that is a subtype's code ('LPS') names that subtype, even where
    # the vocabulary does not find the code in running text.
    code = vocab.canonical_subtype(name.strip())
    if not codes and not agents and code is not None:
        codes, rest = {code}, ""
    words = {w.strip("-") for w in _WORD.findall(rest.casefold())} - _GENERIC
    return GroupIdentity(
        name=alnum(name),
        agents=frozenset(a.value.casefold() for a in agents),
        subtypes=frozenset(c.casefold() for c in codes),
        qualifiers=frozenset(w for w in words if w),
    )


def _same_name(gold: GroupIdentity, found: GroupIdentity) -> bool:
    return bool(gold.name) and gold.name == found.name


def _same_identity(gold: GroupIdentity, found: GroupIdentity) -> bool:
    return bool(gold.members) and (
        (gold.agents, gold.subtypes, gold.qualifiers)
        == (found.agents, found.subtypes, found.qualifiers)
    )


def _same_members(gold: GroupIdentity, found: GroupIdentity) -> bool:
    if gold.agents or found.agents:
        return gold.agents == found.agents
    return bool(gold.subtypes) and gold.subtypes == found.subtypes


def _both_controls(gold: GroupIdentity, found: GroupIdentity) -> bool:
    return not gold.agents and not found.agents


def _contained(gold: GroupIdentity, found: GroupIdentity) -> bool:
    a, b = gold.name, found.name
    return bool(a and b) and (a in b or b in a)


Rule = Callable[[GroupIdentity, GroupIdentity], bool]
COHORT_RULES: tuple[Rule, ...] = (_same_name, _same_identity, _same_members, _contained)
ARM_RULES: tuple[Rule, ...] = (
    _same_name,
    _same_identity,
    _same_members,
    _both_controls,
    _contained,
)


def pair_groups(
    gold: Sequence[GoldGroup],
    predicted: Sequence[str],
    rules: Sequence[Rule],
    vocab: Vocabulary,
) -> dict[int, int]:
    """Pair gold groups with predicted group names; return {gold: predicted}."""
    golds = [identity(g.name, vocab) for g in gold]
    founds = [identity(name, vocab) for name in predicted]
    pairs: dict[int, int] = {}
    for rule in rules:
        for g, wanted in enumerate(golds):
            if g in pairs:
                continue
            used = set(pairs.values())
            options = [
                p
                for p, found in enumerate(founds)
                if p not in used and rule(wanted, found)
            ]
            if len(options) == 1:
                pairs[g] = options[0]
    return pairs
