"""What binding reads and produces (see :mod:`binding`).

A sentence's :class:`Scope`, its values as :class:`Bound` to endpoint, time point
and group, and the binder's working state (:class:`Item`, :class:`State`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sarcolit.core.models import EndpointName
from sarcolit.extraction.counts import Count
from sarcolit.extraction.groups import TRIAL, GroupRef
from sarcolit.extraction.mentions import Finder
from sarcolit.extraction.values import Number, Timepoint


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


@dataclass(frozen=True, slots=True)
class Item:
    """A value or a count, with where its qualifiers may start."""

    start: int
    end: int
    after: int
    number: Number | None = None
    count: Count | None = None


@dataclass
class State:
    """Where the previous values of a sentence leave off."""

    window: int
    """Keywords before this point belong to earlier values."""
    proximity: int
    """Subtypes before this point were already given to a value (reviews)."""
    previous: dict[str, Bound] = field(default_factory=dict)
    """The last value bound for each unit: a list goes on in its own unit."""
    carried: GroupRef | None = None
