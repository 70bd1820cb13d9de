"""Group a review's sentences into trial contexts; hold what each context binds.

A review names many trials. Its sentences are read in order and grouped into
*contexts*, one per trial mention: a context starts at a sentence naming a
trial, an agent or a trial descriptor ('a phase II trial') and takes the
values of the following sentences until another trial starts or the
paragraph ends. A single-trial text is read by :mod:`subject` instead, with
one context for its subject trial from the first sentence on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sarcolit.core.vocabulary import Mention
from sarcolit.extraction.binding import bind
from sarcolit.extraction.bound import Bound, Scope
from sarcolit.extraction.counts import Count
from sarcolit.extraction.facts import Finding, Sentence, Tagged
from sarcolit.extraction.groups import GroupRef
from sarcolit.extraction.mentions import Finder

_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?![ \t]*\n))+")
_PLURAL = re.compile(r"\b(?:trials|studies)\b")
_GENERIC_START = re.compile(
    r"^(?:These|Such|Most|Many|Several|Some|Other)\b|(?i:pooled|meta-analys)"
)
_SINGULAR = re.compile(r"\b(?:trial|study)\b")

Span = tuple[int, int]


@dataclass
class Context:
    """One trial mention and everything bound to it so far."""

    sentences: list[Sentence] = field(default_factory=list)
    agents: list[Mention] = field(default_factory=list)
    classes: list[Mention] = field(default_factory=list)
    ids: list[Mention] = field(default_factory=list)
    names: list[Mention] = field(default_factory=list)
    phases: list[Tagged] = field(default_factory=list)
    designs: list[Tagged] = field(default_factory=list)
    settings: list[Tagged] = field(default_factory=list)
    targets: list[Mention] = field(default_factory=list)
    subtypes: list[Mention] = field(default_factory=list)
    values: list[tuple[Bound, Span]] = field(default_factory=list)
    counts: list[tuple[Count, Span]] = field(default_factory=list)
    findings: list[tuple[Finding, Span]] = field(default_factory=list)
    anchored: bool = False
    inherited: bool = False
    notes: list[str] = field(default_factory=list)
    subject: bool = False
    """The subject trial of a single-trial text."""
    report: bool = False
    """A table row reporting a whole trial: another row of the same trial is
    another report of it (an update), not more of the same record."""
    population: frozenset[str] = frozenset()
    """The one subtype the whole trial enrolled, if it is one."""
    cohort_subtypes: frozenset[str] = frozenset()
    """Subtypes the title names side by side: the trial's cohorts."""
    multi_arm: bool = False
    arm_refs: list[GroupRef] = field(default_factory=list)
    antecedent: tuple[GroupRef, ...] = ()
    previous: Bound | None = None

    @property
    def has_results(self) -> bool:
        """Return True once a value or a patient count is bound."""
        return bool(self.values or self.counts)

    @property
    def identifiers(self) -> set[str]:
        """Return the NCT ids and names of the trial."""
        return {m.value for m in (*self.ids, *self.names)}

    @property
    def agent_names(self) -> frozenset[str]:
        """Return the canonical names of the trial's agents."""
        return frozenset(m.value for m in self.agents)


def paragraphs(text: str) -> list[Span]:
    """Return the spans of the blank-line separated paragraphs of ``text``."""
    return [m.span() for m in _PARAGRAPH.finditer(text)]


def generic(text: str, sentence: Sentence) -> bool:
    """'Early trials using ICI monotherapy ...': a statement about many trials."""
    piece = text[sentence.start : sentence.end]
    if _GENERIC_START.search(piece):
        return True
    return bool(_PLURAL.search(piece)) and not _SINGULAR.search(piece)


def _starts(text: str, sentence: Sentence) -> bool:
    if sentence.identifiers:
        return True
    if sentence.examples_only or generic(text, sentence):
        return False
    return bool(sentence.agents or sentence.classes)


def _phase_changes(sentence: Sentence, ctx: Context) -> bool:
    mine = {p.value for p in sentence.phases}
    theirs = {p.value for p in ctx.phases}
    return bool(sentence.anchor and mine and theirs and not mine & theirs)


def is_new(text: str, sentence: Sentence, ctx: Context) -> bool:
    """Decide whether ``sentence`` of a review starts another trial's context."""
    ids = sentence.identifiers
    if ids:
        if ids & ctx.identifiers:
            return False
        return bool(ctx.identifiers) or ctx.has_results
    if sentence.examples_only or generic(text, sentence):
        return False
    agents = sentence.agent_names
    if _phase_changes(sentence, ctx):
        return True
    if sentence.anchor and not sentence.self_reference and ctx.has_results:
        return True
    if not agents or agents <= ctx.agent_names:
        return False
    if not ctx.has_results and (ctx.agent_names <= agents or not ctx.agents):
        return False
    return ctx.has_results or sentence.anchor or bool(sentence.numbers)


def add_unique(target: list[Mention], mentions: list[Mention]) -> None:
    """Append the mentions whose value ``target`` does not hold yet."""
    known = {m.value for m in target}
    for mention in mentions:
        if mention.value not in known:
            target.append(mention)
            known.add(mention.value)


def add_tags(target: list[Tagged], tags: list[Tagged]) -> None:
    """Append the tags whose value ``target`` does not hold yet."""
    known = {t.value for t in target}
    target.extend(t for t in tags if t.value not in known)


def bind_into(
    text: str,
    sentence: Sentence,
    ctx: Context,
    find: Finder,
    *,
    values: bool,
    loose: bool,
) -> list[Bound]:
    """Bind a sentence's values and counts into ``ctx``; return the bound values."""
    named = frozenset(m.value for m in ctx.subtypes)
    population = ctx.population if ctx.subject or ctx.population else named
    scope = Scope(
        find=find,
        agents=ctx.agent_names,
        population=population if len(population) == 1 else frozenset(),
        first_results=bool(sentence.numbers or sentence.counts) and not ctx.has_results,
        multi_arm=ctx.multi_arm,
        loose=loose,
        values=values,
        antecedent=ctx.antecedent,
        previous=ctx.previous,
        cohorts=ctx.cohort_subtypes,
    )
    binding = bind(text, sentence, scope)
    span = (sentence.start, sentence.end)
    ctx.values.extend((b, span) for b in binding.values)
    ctx.counts.extend((c, span) for c in binding.counts)
    ctx.notes.extend(binding.notes)
    ctx.antecedent = binding.antecedent
    ctx.arm_refs.extend(r for r in sentence.groups if r.level == "arm")
    if binding.values:
        ctx.previous = binding.values[-1]
    return binding.values


def _absorb(text: str, sentence: Sentence, ctx: Context, find: Finder) -> None:
    doc_results = bool(sentence.numbers or sentence.counts)
    first_results = doc_results and not ctx.has_results
    previous = ctx.sentences[-1] if ctx.sentences else None
    add_unique(ctx.agents, sentence.agents)
    if not ctx.has_results:
        add_unique(ctx.classes, sentence.classes)
    add_unique(ctx.ids, sentence.nct_ids)
    add_unique(ctx.names, sentence.names)
    add_tags(ctx.phases, sentence.phases)
    add_tags(ctx.designs, sentence.designs)
    add_unique(ctx.targets, sentence.targets)
    ctx.anchored = ctx.anchored or sentence.anchor or bool(sentence.identifiers)
    describes = sentence.anchor or first_results
    bound = bind_into(text, sentence, ctx, find, values=True, loose=True)
    if describes:
        cohorts = {
            s for b in bound if b.group.level == "cohort" for s in b.group.subtypes
        }
        cohorts |= {b.group.name for b in bound if b.group.level == "cohort"}
        add_unique(
            ctx.subtypes, [m for m in sentence.subtypes if m.value not in cohorts]
        )
        add_tags(ctx.settings, sentence.settings)
        if first_results and previous is not None and not ctx.subtypes:
            add_unique(ctx.subtypes, previous.subtypes)
        if first_results and previous is not None:
            add_tags(ctx.settings, previous.settings)
    ctx.findings.extend((f, (sentence.start, sentence.end)) for f in sentence.findings)
    ctx.sentences.append(sentence)


def _new_context(sentence: Sentence, previous: Context | None) -> Context:
    ctx = Context()
    if previous and not sentence.agents and not sentence.classes:
        # 'A subsequent phase II trial (NCT03277924) ...' continues the regimen.
        ctx.agents = list(previous.agents)
        ctx.classes = list(previous.classes)
        ctx.inherited = bool(previous.agents or previous.classes)
    return ctx


def review_contexts(
    text: str, sentences: list[list[Sentence]], find: Finder
) -> list[Context]:
    """Group the sentences of a review (one list per paragraph) into contexts."""
    contexts: list[Context] = []
    for paragraph in sentences:
        current: Context | None = None
        for sentence in paragraph:
            if generic(text, sentence) and not sentence.identifiers:
                continue
            if current is None or is_new(text, sentence, current):
                if current is None and not _starts(text, sentence):
                    continue
                current = _new_context(sentence, current)
                contexts.append(current)
            _absorb(text, sentence, current, find)
    return contexts


def absorb_side(text: str, sentence: Sentence, ctx: Context, find: Finder) -> None:
    """Read a sentence of a single-trial text that reports another trial."""
    _absorb(text, sentence, ctx, find)
