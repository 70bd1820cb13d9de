"""The documents a synthesis reads, and each sentence with the regimen it reports.

A single-trial document (a paper, an abstract, a news item, a regulator's
summary) reports its subject trial, so its sentences belong to that trial unless
one names another regimen. A review or a table reports many trials, so each of
its sentences belongs to the regimen it names, or to the one the sentence before
it named ("Notably, ASPS patients achieved an ORR of 54.5%" follows the sentence
that introduced axitinib plus pembrolizumab).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sarcolit.core.models import Chunk, Tags
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest import DocInfo, sentence_spans, tag_text
from sarcolit.retrieval.synthesis_query import classes_of
from sarcolit.retrieval.synthesis_terms import MARKER_LIKE

MULTI_TRIAL_KINDS = frozenset({"review", "table"})
OPENING_CHARS = 1500
"""Characters of a document's start read for its names (title, first sentences)."""
LONGEST_SENTENCE = 600
"""A longer 'sentence' is a table flattened onto one line: too many trials to cite."""
MOST_AGENTS = 3
"""A sentence naming more agents lists several regimens (a flattened table)."""
INHERIT_STEPS = 2
"""Sentences after one that names a regimen that still report it, in a review."""
# Trial names written in a title or opening: "(APFAO)", "SAINT:", "the KAPKEY study".
_NAMED = re.compile(
    r"\(([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)[);,]"
    r"|(?:^|\n|\| )([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*):"
    r"|\b(?:the|of|in) ([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*) (?:trial|study|substudy)\b"
)
# What a trial name looks like: SPEARHEAD-1, Gxplore-005, SinAnloSarc, KAPKEY.
_TRIAL_LIKE = re.compile(
    r"[A-Za-z][A-Za-z0-9]*-[A-Za-z]*\d[A-Za-z0-9-]*|[A-Z]{5,}\d*"
    r"|[A-Z][a-z]+(?:[A-Z][a-z]+)+"
)
_NOT_TRIAL_NAMES = frozenset(
    [
        "ASCO",
        "ESMO",
        "CTOS",
        "SITC",
        "FDA",
        "NCI",
        "CI",
        "ORR",
        "PFS",
        "OS",
        "DCR",
        "DOR",
        "STS",
        "UPS",
        "ASPS",
        "SS",
        "LMS",
        "LPS",
        "DDLPS",
        "MRCLS",
        "RECIST",
        "TRAE",
        "CR",
        "PR",
        "HR",
        "PD-1",
        "PD-L1",
        "CTLA-4",
        "TKI",
        "TCR",
        "CAR",
        "HLA",
        "GIST",
        "KS",
        "JAMA",
        "NEJM",
        "BACKGROUND",
        "METHODS",
        "RESULTS",
        "PURPOSE",
        "CONCLUSIONS",
        "CONCLUSION",
    ]
)
_WITH_OR_WITHOUT = re.compile(
    r"with or without|\balone or\b|\+/-|±|\bversus\b|\bvs\b|randomi[sz]ed",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Profile:
    """A document as a synthesis reads it: what trial it reports, if one."""

    doc_id: str
    title: str
    kind: str
    agents: frozenset[str]
    classes: frozenset[str]
    subtypes: frozenset[str]
    trials: frozenset[str]
    names: frozenset[str]
    opening: str
    targets: tuple[str, ...]
    """Antigens the title names ('HER2'), which tell cell therapies apart."""
    multi: bool
    arms: bool
    """The report has a monotherapy arm beside a combination ('with or without')."""


@dataclass(frozen=True)
class Sentence:
    """A sentence of a document and the regimen it reports."""

    chunk: Chunk
    start: int
    end: int
    """Offsets relative to the chunk."""
    text: str
    position: int
    """Order of the sentence in its document."""
    agents: frozenset[str]
    classes: frozenset[str]
    trials: frozenset[str]
    subtypes: frozenset[str]
    header: str = ""
    """The header row of the table the sentence is a row of ('' otherwise)."""
    is_header: bool = False
    """The sentence is a table's header row: column names, no values."""
    own: bool = True
    """True when it reports its document's own trial (not a regimen it cites)."""


def trial_names(opening: str, vocabulary: Vocabulary) -> frozenset[str]:
    """Return the trial names a title or opening writes: APFAO, SAINT, KAPKEY."""
    found = set()
    for match in _NAMED.finditer(opening):
        name = next(g for g in match.groups() if g)
        known = vocabulary.canonical_agent(name) or vocabulary.canonical_subtype(name)
        if not _TRIAL_LIKE.fullmatch(name) or known or MARKER_LIKE.match(name):
            continue
        if name.upper() not in _NOT_TRIAL_NAMES and not name.upper().startswith("NCT"):
            found.add(name)
    return frozenset(found)


def _family(opening: str, vocabulary: Vocabulary) -> frozenset[str]:
    """Return the subtypes of a family the title names ('bone sarcomas'), if only it."""
    title = opening[:300]
    if "soft" in title.lower():
        return frozenset()
    broad = [
        m.value for m in vocabulary.find_subtypes(title) if vocabulary.is_broad(m.value)
    ]
    return frozenset(s for b in broad for s in vocabulary.subtype_descendants(b))


def _union(tags: Sequence[Tags], field: str) -> frozenset[str]:
    return frozenset(v for t in tags for v in getattr(t, field))


def _profile(info: DocInfo, chunks: Sequence[Chunk], vocabulary: Vocabulary) -> Profile:
    opening = ""
    for chunk in chunks:
        if len(opening) >= OPENING_CHARS:
            break
        opening += chunk.text + "\n"
    opening = opening[:OPENING_CHARS]
    context = chunks[0].context if chunks else Tags()
    seen = tag_text(opening[:600], vocabulary)
    multi = info.kind in MULTI_TRIAL_KINDS
    agents = frozenset(context.agents) or (
        frozenset() if multi else frozenset(seen.agents)
    )
    classes = (
        classes_of(agents, vocabulary)
        if agents
        else frozenset(
            a
            for c in context.agent_classes
            for a in (c, *vocabulary.class_ancestors(c))
        )
    )
    if not agents and not multi and not classes:
        classes = frozenset(seen.agent_classes)
    trials = frozenset((*context.trials, *context.nct_ids))
    if not multi and not trials:
        trials = frozenset((*seen.trials, *seen.nct_ids))
    return Profile(
        doc_id=info.id,
        title=info.title,
        kind=info.kind,
        agents=agents,
        classes=classes,
        subtypes=frozenset(context.subtypes)
        or (
            frozenset()
            if multi
            else frozenset(seen.subtypes) | _family(opening, vocabulary)
        ),
        trials=trials,
        names=frozenset() if multi else trial_names(opening, vocabulary),
        opening=opening,
        targets=tuple(
            dict.fromkeys(m.value for m in vocabulary.find_targets(opening[:300]))
        ),
        multi=multi,
        arms=bool(_WITH_OR_WITHOUT.search(opening[:400])),
    )


def _is_header(text: str) -> bool:
    """Return True for a table's header row: no cell starts with a number."""
    cells = [c.strip() for c in text.split("|")]
    if all(set(c) <= set(":- ") for c in cells):
        return False  # a Markdown separator row
    return not any(c[:1].isdigit() for c in cells)


def _sentences(
    profile: Profile, chunks: Sequence[Chunk], vocabulary: Vocabulary
) -> list[Sentence]:
    found: list[Sentence] = []
    header = ""
    for chunk in chunks:
        # (agents, classes, trials) named just before, and how many steps ago.
        before: tuple[frozenset[str], frozenset[str], frozenset[str], int] = (
            frozenset(),
            frozenset(),
            frozenset(),
            INHERIT_STEPS,
        )
        for start, end in sentence_spans(chunk.text):
            text = chunk.text[start:end]
            tags = tag_text(text, vocabulary)
            if len(text) > LONGEST_SENTENCE or len(tags.agents) > MOST_AGENTS:
                continue
            if "|" in text and _is_header(text):
                header = text
            elif "|" not in text:
                header = ""
            named = frozenset(tags.agents)
            classes = frozenset(
                a
                for c in tags.agent_classes
                for a in (c, *vocabulary.class_ancestors(c))
            )
            trials = frozenset((*tags.trials, *tags.nct_ids))
            own = not profile.multi and named <= profile.agents
            own = own and (
                not trials or bool(trials & profile.trials) or not profile.trials
            )
            if own:
                agents, classes, trials = (
                    profile.agents,
                    profile.classes,
                    trials | profile.trials,
                )
                before = (frozenset(), frozenset(), frozenset(), INHERIT_STEPS)
            elif named or classes:
                agents = named
                before = (named, classes, trials, 0)
            else:
                # Names only a trial, or nothing: the regimen of the sentences before.
                agents, inherited, was, steps = before
                if steps >= INHERIT_STEPS:
                    agents, inherited, was = frozenset(), frozenset(), frozenset()
                classes, trials = inherited, trials or was
                before = (agents, classes, trials, steps + 1)
            found.append(
                Sentence(
                    chunk=chunk,
                    start=start,
                    end=end,
                    text=text,
                    position=len(found),
                    agents=agents,
                    classes=classes,
                    trials=trials,
                    subtypes=frozenset(tags.subtypes),
                    header=header if "|" in text and header != text else "",
                    is_header="|" in text and header == text,
                    own=own,
                )
            )
    return found


@dataclass(frozen=True)
class Line:
    """One line of a synthesis answer: a label and the sentences it cites."""

    label: str
    sentences: tuple[tuple[Profile, Sentence], ...]
    agents: frozenset[str] = frozenset()
    trials: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Sources:
    """Every document's profile and attributed sentences, read once per index state."""

    profiles: dict[str, Profile]
    sentences: dict[str, list[Sentence]]


def _key(chunks: Sequence[Chunk]) -> tuple[str, ...]:
    return tuple(c.id for c in chunks)


@lru_cache(maxsize=4)
def _read(
    key: tuple[str, ...],
    infos: tuple[DocInfo, ...],
    chunks: tuple[Chunk, ...],
    vocabulary: Vocabulary,
) -> Sources:
    del key  # part of the cache key only
    by_doc: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        by_doc[chunk.doc_id].append(chunk)
    profiles: dict[str, Profile] = {}
    sentences: dict[str, list[Sentence]] = {}
    for info in infos:
        doc_chunks = sorted(by_doc.get(info.id, []), key=lambda c: c.start)
        if not doc_chunks:
            continue
        profile = _profile(info, doc_chunks, vocabulary)
        profiles[info.id] = profile
        sentences[info.id] = _sentences(profile, doc_chunks, vocabulary)
    return Sources(profiles, sentences)


def read_sources(
    infos: Sequence[DocInfo], chunks: Sequence[Chunk], vocabulary: Vocabulary
) -> Sources:
    """Return the profiles and sentences of the library (cached per chunk set)."""
    return _read(_key(chunks), tuple(infos), tuple(chunks), vocabulary)
