"""Turn the group phrases bound to a trial's values into its arms and cohorts.

An arm is known by its agents: 'the nivolumab group' is {nivolumab}; 'with
the combination' or 'the experimental group' is the trial's full regimen;
'with nivolumab alone', 'the control group' or 'without it' is its base (the
agents named 'alone', else an arm whose agents are a strict part of the
regimen, else no study agent at all: the control arm). A trial with one arm
only, the full regimen, has no arms: its values are the trial's.

A cohort is known by its subtypes and the words that qualify them ('classic
Kaposi sarcoma', 'uterine leiomyosarcoma'); a cohort named by a qualifier
alone ('Classic', 'Endemic') in a trial of one subtype takes that subtype.
Two free-text cohorts that share most of their words ('skin of the scalp or
face', 'Cutaneous, scalp or face') are one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sarcolit.core.models import Level
from sarcolit.core.vocabulary import Mention, Vocabulary
from sarcolit.extraction.groups import GroupRef

_WORDS = re.compile(r"[a-z][a-z-]{2,}")
_GENERIC = frozenset(["the", "and", "with", "other", "patients", "group", "cohort"])
_FREE_NAME_OK = re.compile(r"(?i)\b(?:other|sarcoma|tumou?r|sites?|primar)")


@dataclass(frozen=True, slots=True)
class GroupKey:
    """Where a value belongs once its phrase is resolved."""

    level: Level
    key: str = ""
    name: str = ""
    subtype: str | None = None
    agents: tuple[Mention, ...] = ()
    labelled: bool = False
    """An arm a table row is labelled with: an arm even if it is the regimen."""


TRIAL_KEY = GroupKey("trial")


@dataclass
class ArmModel:
    """The trial's regimen and the base its control arm keeps."""

    full: tuple[Mention, ...]
    base: tuple[Mention, ...]
    vocab: Vocabulary
    population: tuple[str, ...] = ()


def arm_model(
    agents: Sequence[Mention],
    arm_refs: Sequence[GroupRef],
    population: Sequence[str],
    vocab: Vocabulary,
) -> ArmModel:
    """Return the full regimen and the control arm's agents."""
    full = tuple(agents)
    names = {m.value for m in full}
    base: tuple[Mention, ...] = ()
    alone = [r for r in arm_refs if r.agents and r.role == "control"]
    if alone:
        base = alone[0].agents
    else:
        for ref in arm_refs:
            part = {a.value for a in ref.agents}
            if part and part < names:
                base = ref.agents
                break
    return ArmModel(full, base, vocab, tuple(population))


def _ordered(mentions: Sequence[Mention], model: ArmModel) -> tuple[Mention, ...]:
    order = [m.value for m in model.full]
    unique = {m.value: m for m in mentions}
    return tuple(
        sorted(unique.values(), key=lambda m: order.index(m.value) if m.value in order
               else len(order))
    )  # fmt: skip


def _arm(ref: GroupRef, model: ArmModel) -> GroupKey:
    if ref.agents:
        agents = _ordered(ref.agents, model)
    elif ref.role == "experimental":
        agents = model.full
    else:
        agents = model.base
    names = [a.value for a in agents]
    key = "+".join(sorted(names)) or "control"
    name = " + ".join(names) or "control"
    return GroupKey("arm", key, name, None, agents, ref.labelled)


def _cohort(ref: GroupRef, model: ArmModel) -> GroupKey:
    subtypes = list(ref.subtypes)
    qualifiers = list(ref.qualifiers)
    name = ref.name
    if not subtypes and len(model.population) == 1 and not _FREE_NAME_OK.search(name):
        words = name.split()
        if 0 < len(words) <= 2:
            qualifiers = [w.lower() for w in words]
            subtypes = [model.population[0]]
    if subtypes:
        labels = "/".join(model.vocab.subtype_label(s) for s in subtypes)
        label = " ".join([*qualifiers, labels])
        key = "|".join(sorted(subtypes)) + "|" + " ".join(sorted(qualifiers))
        subtype = subtypes[0] if len(subtypes) == 1 else None
        return GroupKey("cohort", key, label, subtype)
    return GroupKey("cohort", "~" + name.casefold(), name, None)


def resolve(ref: GroupRef, model: ArmModel) -> GroupKey:
    """Return the trial, arm or cohort a bound group phrase names."""
    if ref.level == "trial":
        return TRIAL_KEY
    if ref.level == "arm":
        return _arm(ref, model)
    return _cohort(ref, model)


def _words(name: str) -> set[str]:
    return set(_WORDS.findall(name.casefold())) - _GENERIC


def same_free_cohort(a: str, b: str) -> bool:
    """Two free-text cohort names that share most of their words."""
    left, right = _words(a), _words(b)
    if not left or not right:
        return False
    return len(left & right) / len(left | right) >= 0.5 or (
        len(left & right) >= 2 and (left <= right or right <= left)
    )
