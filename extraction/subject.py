"""Read a single-trial text: every result is its subject trial's unless it says not.

A trial report, a regulatory summary or a table of one trial has a subject
(``Document.subject``, read at ingest from the title, the opening and the
registration line). Its results sentences rarely name the trial again ('the
objective response rate was 25%'), so each binds to the subject unless it
names another trial (another NCT id or trial name, or other agents in a
sentence about a trial) or cites references. Background and Introduction are
skipped; Methods give counts but no values (see :mod:`sections`).

The subject's population is the subtypes its title and opening name, except
those named as examples ('sarcomas including ASPS'): a value for that one
population is the trial's, not a cohort's. A trial is multi-arm when it is
randomised, 'with or without' an agent, or names an arm ('the nivolumab
group'); only then does 'with the combination' name an arm.
"""

from __future__ import annotations

import itertools
import re

from sarcolit.core.models import Document
from sarcolit.core.vocabulary import Mention
from sarcolit.extraction.contexts import (
    Context,
    absorb_side,
    add_tags,
    add_unique,
    bind_into,
    paragraphs,
)
from sarcolit.extraction.facts import Sentence, analyse, phases
from sarcolit.extraction.mentions import Finder
from sarcolit.extraction.sections import Role, role_of, run_in
from sarcolit.ingest import is_instruction, sentence_spans

Span = tuple[int, int]
_EXAMPLES = re.compile(r"(?i)\b(?:including|such as|e\.g\.|other than)\s+$")
_OTHER = re.compile(r"(?i)\band\s+other\s+$")
# A multi-arm trial says so in its title or opening ('randomised', 'with or
# without'), or assigns patients, or names an arm ('the control group').
_MULTI_ARM_OPENING = re.compile(
    r"(?i)(?<!non-)(?<!non)\brandomi[sz]ed\b|\bwith\s+or\s+without\b|\bversus\b"
)
_MULTI_ARM = re.compile(
    r"(?i)\brandomly\s+assigned\b|\bassigned\s+\(?1:1|\b(?:control|experimental|"
    r"combination|monotherapy)\s+(?:group|arm)s?\b"
)


def _title_span(document: Document, find: Finder) -> Span | None:
    """The title in the text, or the first paragraph of a text titled by file name."""
    at = document.text.find(document.title) if document.title else -1
    if at >= 0 and find.agents(document.text, at, at + len(document.title)):
        return at, at + len(document.title)
    first = paragraphs(document.text)[:1]
    return first[0] if first and first[0][1] - first[0][0] <= 400 else None


def _places(document: Document, find: Finder) -> list[Span]:
    """The title and the opening sentences, except Background ones (other trials)."""
    subject = document.subject
    spans = [(s.start, s.end) for s in subject.spans] if subject else []
    title = _title_span(document, find)
    places = [title, *spans] if title else spans
    return [
        (s, e)
        for s, e in places
        if "skip" not in (run_in(document.text, s, e)[0], _section_role(document, s))
    ]


_JOINED = re.compile(
    r"(?i)[\s,()\w-]{0,40}?\b(?:plus|with|and|\+|combined\s+with|in\s+combination\s+"
    r"with|added\s+to|together\s+with|combining)\b[\s\w()-]{0,40}?"
)


def _regimen(text: str, places: list[Span], find: Finder) -> list[Mention]:
    """The subject's agents: the title's, and those the opening joins to them.

    'nivolumab alone' in a title and 'nivolumab with ipilimumab' in the first
    sentence make the regimen nivolumab and ipilimumab; a prior therapy
    ('all of which had included gemcitabine') is not joined to it.
    """
    found = [find.agents(text, s, e) for s, e in places]
    base = next((mentions for mentions in found if mentions), [])
    names = {m.value for m in base}
    regimen = list(base)
    for mentions in found[1:]:
        for first, second in itertools.pairwise(mentions):
            pair = {first.value, second.value}
            if (
                pair & names
                and not pair <= names
                and _JOINED.fullmatch(text, first.end, second.start)
            ):
                added = second if first.value in names else first
                regimen.append(added)
                names.add(added.value)
    return regimen


def _population(
    text: str, places: list[Span], find: Finder
) -> tuple[list[Mention], bool]:
    """Return the subtypes the title or opening names as the trial's.

    Also whether it enrols others besides ('ASPS and other soft tissue
    sarcomas'); subtypes named as examples ('sarcomas including ASPS') are not
    the trial's population.
    """
    kept: list[Mention] = []
    others = False
    for start, end in places[:2]:
        for mention in find.subtypes(text, start, end):
            lead = max(start, mention.start - 25)
            if _OTHER.search(text, lead, mention.start):
                others = True
            elif not _EXAMPLES.search(text, lead, mention.start):
                kept.append(mention)
        if kept:
            return kept, others
    return kept, others


def subject_context(document: Document, find: Finder) -> Context:
    """Return a context for the subject trial, seeded from title and opening."""
    text = document.text
    places = _places(document, find)
    ctx = Context(subject=True, anchored=True)
    add_unique(ctx.agents, _regimen(text, places, find))
    wanted = set(document.subject.nct_ids) if document.subject else set()
    ids = [m for m in find.nct_ids(text) if m.value in wanted]
    add_unique(ctx.ids, ids[:1] if ids else [])
    for start, end in places:
        add_unique(ctx.names, find.trial_names(text, start, end))
    # The registration line ('the pivotal phase 2 IGNYTE-ESO trial
    # (NCT03967223)') names the subject where the opening does not.
    registration = _registration(document, ids, find)
    if not ctx.names and registration is not None:
        named = set(document.subject.trials) if document.subject else set()
        add_unique(
            ctx.names,
            [m for m in find.trial_names(text, *registration) if m.value in named],
        )
    found = [phases(text, s, e) for s, e in [*places, *filter(None, [registration])]]
    add_tags(ctx.phases, next((tags for tags in found if tags), []))
    population, others = _population(text, places, find)
    add_unique(ctx.subtypes, population)
    values = {m.value for m in population}
    single = len(values) == 1 and not others
    ctx.population = frozenset(values) if single else frozenset()
    ctx.cohort_subtypes = frozenset(values) if len(values) > 1 else frozenset()
    ctx.multi_arm = bool(_MULTI_ARM.search(text)) or any(
        _MULTI_ARM_OPENING.search(text, s, e) for s, e in places
    )
    return ctx


def _registration(
    document: Document, ids: list[Mention], find: Finder
) -> tuple[int, int] | None:
    """Return the sentence that first gives the subject's NCT id (or its name)."""
    text = document.text
    named = set(document.subject.trials) if document.subject else set()
    at = ids[0].start if ids else None
    if at is None:
        at = next((m.start for m in find.trial_names(text) if m.value in named), None)
    if at is None:
        return None
    paragraph = next(((s, e) for s, e in paragraphs(text) if s <= at < e), None)
    if paragraph is None:
        return None
    return next(
        ((s, e) for s, e in sentence_spans(text, *paragraph) if s <= at < e), None
    )


def _names_other(sentence: Sentence, ctx: Context) -> bool:
    """Does the sentence report another trial than the subject?"""
    ids = sentence.identifiers
    if ids and not ids & ctx.identifiers and ctx.identifiers:
        return True
    agents = sentence.agent_names
    return bool(
        agents
        and ctx.agents
        and not agents & ctx.agent_names
        and sentence.anchor
        and not sentence.self_reference
    )


def _section_role(document: Document, start: int) -> Role | None:
    path = document.section_at(start)
    return role_of(path.split(" > ")[-1]) if path else None


def read_subject(
    document: Document, find: Finder
) -> tuple[list[Context], list[Sentence]]:
    """Read a single-trial text into its subject's context (and side contexts)."""
    text = document.text
    primary = subject_context(document, find)
    contexts = [primary]
    rows: list[Sentence] = []
    role: Role = "results"
    section = ""
    side: Context | None = None
    for para_start, para_end in paragraphs(text):
        path = document.section_at(para_start)
        if path != section:
            section = path
            role = _section_role(document, para_start) or role
        for start, end in sentence_spans(text, para_start, para_end):
            if is_instruction(text[start:end]):
                continue  # addressed to a reader or a model: never evidence
            sentence = analyse(text, start, end, find)
            role = sentence.heading or role
            if sentence.is_row:
                rows.append(sentence)
                continue
            if role == "skip" or sentence.cites:
                continue
            if _names_other(sentence, primary):
                if side is None or not sentence.identifiers & side.identifiers:
                    side = Context()
                    contexts.append(side)
                absorb_side(text, sentence, side, find)
                continue
            side = None
            _absorb_subject(text, sentence, primary, find, results=role == "results")
    return contexts, rows


def _absorb_subject(
    text: str, sentence: Sentence, ctx: Context, find: Finder, *, results: bool
) -> None:
    if not ctx.phases and sentence.anchor:
        add_tags(ctx.phases, sentence.phases[:1])
    add_tags(ctx.designs, sentence.designs)
    add_tags(ctx.settings, sentence.settings)
    add_unique(ctx.targets, sentence.targets)
    bind_into(text, sentence, ctx, find, values=results, loose=False)
    ctx.findings.extend((f, (sentence.start, sentence.end)) for f in sentence.findings)
    ctx.sentences.append(sentence)
