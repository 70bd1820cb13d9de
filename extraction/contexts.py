"""Group a document's sentences into trial contexts for the rule-based extractor.

Sentences are read in order and grouped into *contexts*, one per trial
mention: a context starts at a sentence naming a trial, an agent or a trial
descriptor ('a phase II trial'), and takes the values of the following
sentences until another trial starts. In a review, contexts end at paragraph
breaks; in a trial report (``Document.kind == 'trial'``) they run on, and the
Background section, which describes other trials, is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sarcolit.core.models import Document
from sarcolit.core.vocabulary import Mention, Vocabulary
from sarcolit.extraction.binding import Bound, Group, Scope, bind
from sarcolit.extraction.facts import Finding, Sentence, Tagged, analyse
from sarcolit.extraction.values import Count
from sarcolit.ingest import is_instruction, sentence_spans

_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?![ \t]*\n))+")
_BACKGROUND = re.compile(r"(?i)^\W*(?:background|introduction|rationale)\b")
_NEW_SECTION = re.compile(
    r"(?i)^\W*(?:methods?|results?|conclusions?|findings|design)\b"
)
_RESULTS_HEADING = re.compile(r"(?im)^\W*results?\b")
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
    group_counts: list[tuple[Count, Group, Span]] = field(default_factory=list)
    anchored: bool = False
    inherited: bool = False
    notes: list[str] = field(default_factory=list)

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


def _generic(text: str, sentence: Sentence) -> bool:
    """'Early trials using ICI monotherapy ...': a statement about many trials."""
    piece = text[sentence.start : sentence.end]
    if _GENERIC_START.search(piece):
        return True
    return bool(_PLURAL.search(piece)) and not _SINGULAR.search(piece)


def _starts(text: str, sentence: Sentence) -> bool:
    if sentence.identifiers:
        return True
    if sentence.examples_only or _generic(text, sentence):
        return False
    return bool(sentence.agents or sentence.classes)


def _phase_changes(sentence: Sentence, ctx: Context) -> bool:
    mine = {p.value for p in sentence.phases}
    theirs = {p.value for p in ctx.phases}
    return bool(sentence.anchor and mine and theirs and not mine & theirs)


def _is_new(text: str, sentence: Sentence, ctx: Context, trial_doc: bool) -> bool:
    """Decide whether ``sentence`` starts another trial's context."""
    ids = sentence.identifiers
    if ids:
        if ids & ctx.identifiers:
            return False
        return bool(ctx.identifiers) or ctx.has_results
    if sentence.examples_only or _generic(text, sentence):
        return False
    agents = sentence.agent_names
    if trial_doc:
        fresh = bool(agents) and not agents & ctx.agent_names
        return (
            fresh
            and sentence.anchor
            and not sentence.self_reference
            and ctx.has_results
        )
    if _phase_changes(sentence, ctx):
        return True
    if sentence.anchor and not sentence.self_reference and ctx.has_results:
        return True
    if not agents or agents <= ctx.agent_names:
        return False
    if not ctx.has_results and (ctx.agent_names <= agents or not ctx.agents):
        return False
    return ctx.has_results or sentence.anchor or bool(sentence.numbers)


def _add_unique(target: list[Mention], mentions: list[Mention]) -> None:
    known = {m.value for m in target}
    for mention in mentions:
        if mention.value not in known:
            target.append(mention)
            known.add(mention.value)


def _add_tags(target: list[Tagged], tags: list[Tagged]) -> None:
    known = {t.value for t in target}
    target.extend(t for t in tags if t.value not in known)


def _describes_trial(sentence: Sentence, ctx: Context, results: bool) -> bool:
    """Subtypes and settings count from anchors, the first results, and just before."""
    return sentence.anchor or (results and not ctx.has_results)


def _absorb(text: str, sentence: Sentence, ctx: Context, vocab: Vocabulary) -> None:
    doc_results = bool(sentence.numbers or sentence.counts)
    first_results = doc_results and not ctx.has_results
    previous = ctx.sentences[-1] if ctx.sentences else None
    _add_unique(ctx.agents, sentence.agents)
    if not ctx.has_results:
        _add_unique(ctx.classes, sentence.classes)
    _add_unique(ctx.ids, sentence.nct_ids)
    _add_unique(ctx.names, sentence.names)
    _add_tags(ctx.phases, sentence.phases)
    _add_tags(ctx.designs, sentence.designs)
    _add_unique(ctx.targets, sentence.targets)
    ctx.anchored = ctx.anchored or sentence.anchor or bool(sentence.identifiers)
    describes = _describes_trial(sentence, ctx, doc_results)
    scope = Scope(
        ctx.agent_names, frozenset(m.value for m in ctx.subtypes), first_results, vocab
    )
    bound, notes = bind(text, sentence, scope)
    span = (sentence.start, sentence.end)
    ctx.values.extend((b, span) for b in bound)
    ctx.notes.extend(notes)
    if describes:
        cohorts = {b.group.name for b in bound if b.group.level == "cohort"}
        _add_unique(
            ctx.subtypes, [m for m in sentence.subtypes if m.value not in cohorts]
        )
        _add_tags(ctx.settings, sentence.settings)
        if first_results and previous is not None and not ctx.subtypes:
            _add_unique(ctx.subtypes, previous.subtypes)
        if first_results and previous is not None:
            _add_tags(ctx.settings, previous.settings)
    ctx.counts.extend((c, span) for c in sentence.counts)
    ctx.findings.extend((f, span) for f in sentence.findings)
    ctx.sentences.append(sentence)


def _new_context(sentence: Sentence, previous: Context | None) -> Context:
    ctx = Context()
    if previous and not sentence.agents and not sentence.classes:
        # 'A subsequent phase II trial (NCT03277924) ...' continues the regimen.
        ctx.agents = list(previous.agents)
        ctx.classes = list(previous.classes)
        ctx.inherited = bool(previous.agents or previous.classes)
    return ctx


def _skipped(document: Document, start: int, trial_doc: bool, skipping: bool) -> bool:
    """In a trial report, skip the Background: its values are other trials'."""
    if not trial_doc:
        return False
    head = document.text[start : start + 40]
    section = document.section_at(start)
    if _BACKGROUND.match(head) or _BACKGROUND.match(section.split(" > ")[-1]):
        return True
    if _NEW_SECTION.match(head) or section:
        return False
    return skipping


def is_trial_report(document: Document) -> bool:
    """Return True for a report of one trial: kind 'trial', or a paper with Results."""
    if document.kind in ("trial", "review"):
        return document.kind == "trial"
    return bool(_RESULTS_HEADING.search(document.text))


def read_contexts(
    document: Document, vocab: Vocabulary
) -> tuple[list[Context], list[Sentence]]:
    """Group the sentences of ``document`` into trial contexts; return table rows."""
    text = document.text
    trial_doc = is_trial_report(document)
    contexts: list[Context] = []
    rows: list[Sentence] = []
    current: Context | None = None
    skipping = False
    for para_start, para_end in paragraphs(text):
        skipping = _skipped(document, para_start, trial_doc, skipping)
        if skipping:
            continue
        if not trial_doc:
            current = None
        for start, end in sentence_spans(text, para_start, para_end):
            if is_instruction(text[start:end]):
                continue  # addressed to a reader or a model: never evidence
            sentence = analyse(text, start, end, vocab)
            if sentence.is_row:
                rows.append(sentence)
                continue
            if _generic(text, sentence) and not sentence.identifiers:
                continue
            if current is None or _is_new(text, sentence, current, trial_doc):
                if current is None and not _starts(text, sentence):
                    continue
                current = _new_context(sentence, current)
                contexts.append(current)
            _absorb(text, sentence, current, vocab)
    return contexts, rows
