"""Trials as a synthesis reads them: groups of reports, and which ones a query wants.

Single-trial documents that share a registration or a trial name are one trial;
a sentence of a review (or of another trial's paper) that cites a trial joins
it, and one that cites a regimen no document reports forms a group of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval.synthesis_query import Requirement, SynthesisQuery, classes_of
from sarcolit.retrieval.synthesis_sources import Profile, Sentence, Sources

_SINGLE_AGENT = re.compile(r"single[- ]agent|monotherapy|\balone\b", re.IGNORECASE)


def subtype_name(code: str, vocabulary: Vocabulary) -> str:
    """Return a subtype's abbreviation, or its name when it has none ('OS')."""
    spec = vocabulary.subtypes.get(code)
    if spec is not None and code in spec.abbreviations:
        return code
    return vocabulary.subtype_label(code)


@dataclass
class Group:
    """A trial: the documents that report it and the sentences that cite it."""

    key: str
    agents: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    trials: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    subtypes: set[str] = field(default_factory=set)
    profiles: list[Profile] = field(default_factory=list)
    mentions: list[tuple[Profile, Sentence]] = field(default_factory=list)
    arms: bool = False

    @property
    def single_agent(self) -> bool:
        """True when a report gives one agent alone (or has a monotherapy arm)."""
        titles = " ".join(
            f"{p.title} {p.opening.split(chr(10), 1)[0]}" for p in self.profiles
        )
        return self.arms or bool(_SINGLE_AGENT.search(titles))

    @property
    def reported(self) -> bool:
        """True when the trial has documents of its own (not only citations)."""
        return bool(self.profiles)

    def label(self, vocabulary: Vocabulary) -> str:
        """Return the line label: names, regimen, subtypes and registration."""
        names = sorted(self.names | {t for t in self.trials if not t.startswith("NCT")})
        ncts = sorted(t for t in self.trials if t.startswith("NCT"))
        broader = {a for c in self.classes for a in vocabulary.class_ancestors(c)}
        regimen = " + ".join(sorted(self.agents)) or ", ".join(
            sorted(self.classes - broader)
        )
        targets = sorted({t for p in self.profiles for t in p.targets})
        if targets and not self.agents:
            regimen = f"{regimen} ({', '.join(targets)})"
        parts = [", ".join(names), regimen]
        if 0 < len(self.subtypes) <= 2:
            names_of = (subtype_name(s, vocabulary) for s in self.subtypes)
            parts.append(", ".join(sorted(names_of)))
        parts.append(", ".join(ncts))
        label = "; ".join(p for p in parts if p)
        if not self.reported and self.mentions:
            label += f" (as cited in {self.mentions[0][0].title})"
        return label or (self.profiles[0].title if self.profiles else self.key)


def _ids(profile: Profile) -> set[str]:
    return {*profile.trials, *(n.upper() for n in profile.names)}


def own_groups(sources: Sources) -> list[Group]:
    """Merge single-trial documents that share a registration or a trial name."""
    groups: list[Group] = []
    for profile in sources.profiles.values():
        if profile.multi:
            continue
        ids = _ids(profile)
        matches = [
            g for g in groups if ids & ({*g.trials, *(n.upper() for n in g.names)})
        ]
        group = matches[0] if matches else Group(key=profile.doc_id)
        if not matches:
            groups.append(group)
        for other in matches[1:]:
            _absorb(group, other)
            groups.remove(other)
        group.profiles.append(profile)
        group.agents |= profile.agents
        group.classes |= profile.classes
        group.trials |= profile.trials
        group.names |= profile.names
        group.subtypes |= profile.subtypes
        group.arms = group.arms or profile.arms
    return groups


def _absorb(group: Group, other: Group) -> None:
    group.profiles += other.profiles
    group.agents |= other.agents
    group.classes |= other.classes
    group.trials |= other.trials
    group.names |= other.names
    group.subtypes |= other.subtypes
    group.arms = group.arms or other.arms


def mention_groups(
    sources: Sources, groups: list[Group], vocabulary: Vocabulary
) -> list[Group]:
    """Attach sentences that cite a trial to it; others form groups by regimen."""
    by_regimen: dict[tuple[frozenset[str], ...], Group] = {}
    for doc_id, sentences in sources.sentences.items():
        profile = sources.profiles[doc_id]
        for sentence in sentences:
            if sentence.own or not (
                sentence.agents or sentence.classes or sentence.trials
            ):
                continue
            named = [g for g in groups if sentence.trials & g.trials]
            if len(named) == 1:
                named[0].mentions.append((profile, sentence))
                continue
            classes = (
                classes_of(sentence.agents, vocabulary)
                if sentence.agents
                else sentence.classes
            )
            key = (sentence.agents, classes, sentence.trials)
            if key not in by_regimen:
                by_regimen[key] = Group(
                    key="|".join(sorted(sentence.agents | classes | sentence.trials)),
                    agents=sentence.agents,
                    classes=classes,
                    trials=set(sentence.trials),
                )
            by_regimen[key].mentions.append((profile, sentence))
    return list(by_regimen.values())


def _names_match(group: Group, query: SynthesisQuery) -> bool:
    wanted = {t.upper() for t in (*query.trials, *query.names)}
    if not wanted:
        return True
    if wanted & {t.upper() for t in (*group.trials, *group.names)}:
        return True
    openings = " ".join(p.opening for p in group.profiles).upper()
    return any(
        re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", openings) for w in wanted
    )


def _alone(side: Requirement, sides: Sequence[Requirement]) -> bool:
    return any(side.agents < other.agents for other in sides)


def _admits(group: Group, side: Requirement, sides: Sequence[Requirement]) -> bool:
    if not side.admits(group.agents, group.classes):
        return False
    if _alone(side, sides):
        return group.agents <= side.agents or group.arms
    return True


def matching_groups(groups: Iterable[Group], query: SynthesisQuery) -> list[Group]:
    """Return the trials a query asks about."""
    found = []
    for group in groups:
        if not _names_match(group, query):
            continue
        if not all(r.admits(group.agents, group.classes) for r in query.requirements):
            continue
        if query.sides and not any(_admits(group, s, query.sides) for s in query.sides):
            continue
        if query.monotherapy and len(group.agents) > 1 and not group.single_agent:
            continue
        found.append(group)
    if len(query.sides) > 1:
        every = frozenset(a for s in query.sides for a in s.agents)
        head_to_head = [g for g in found if g.arms and every <= g.agents]
        found = head_to_head or found
    return found


def order_groups(
    groups: list[Group], query: SynthesisQuery, vocabulary: Vocabulary
) -> list[Group]:
    """Return the trials in reading order: by compared side, reports first, by name."""

    def rank(group: Group) -> tuple[int, int, str]:
        side = next(
            (i for i, s in enumerate(query.sides) if _admits(group, s, query.sides)), 0
        )
        return (side, 0 if group.reported else 1, group.label(vocabulary).casefold())

    return sorted(groups, key=rank)
