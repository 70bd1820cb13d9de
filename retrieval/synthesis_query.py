"""What a question across trials asks: its kind, its regimens, subtypes and topics.

:func:`understand` reads a question and returns a :class:`SynthesisQuery` when
it asks across trials (a list, a drug class, a subtype, a comparison, a yes/no
evidence question), or None for a single-fact question, which the extractive
answerer handles. Classes expand through the vocabulary: "PD-1 inhibitor"
covers pembrolizumab, nivolumab, toripalimab and the rest, "checkpoint
inhibitor" every anti-PD-1, anti-PD-L1 and anti-CTLA-4 agent; a subtype covers
its narrower subtypes ("liposarcoma": DDLPS, MRCLS ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sarcolit.core.text import STOPWORDS, fold
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary
from sarcolit.ingest import tag_text
from sarcolit.retrieval.synthesis_terms import (
    ABOUT,
    ALONE,
    BARE_CLASSES,
    COMPARE,
    EXCEPT,
    GENERIC,
    GENERIC_WORDS,
    LIST,
    MARKER_LIKE,
    MARKERS,
    NOT_NAMES,
    OF_ONE_REGIMEN,
    RESULTS,
    SUMMARY,
    TOKEN,
    TOPICS,
    YESNO,
    Kind,
    Topic,
)

__all__ = ["RESULTS", "Kind", "Requirement", "SynthesisQuery", "Topic", "understand"]


@dataclass(frozen=True)
class Requirement:
    """Regimens a trial must include: any of ``agents``, or an agent of ``classes``."""

    agents: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    label: str = ""
    combination: bool = False
    """Every agent is required (a regimen 'A + B'), not any one of them."""

    def admits(self, agents: frozenset[str], classes: frozenset[str]) -> bool:
        """Return True when a trial with these agents (or classes) qualifies.

        ``classes`` are the trial's classes with their broader ones, so a
        trial of axitinib (a VEGFR TKI) meets a requirement for a TKI.
        """
        if self.combination:
            return self.agents <= agents
        return bool(self.agents & agents) or bool(self.classes & classes)

    def joined(self, other: Requirement, word: str) -> Requirement:
        """Return the requirement met by either ('or') or by both ('+')."""
        return Requirement(
            agents=self.agents | other.agents,
            classes=self.classes | other.classes,
            label=f"{self.label} {word} {other.label}",
            combination=word == "+",
        )


@dataclass(frozen=True)
class SynthesisQuery:
    """A question across trials, read into what the answer must gather."""

    kind: Kind
    requirements: tuple[Requirement, ...] = ()
    sides: tuple[Requirement, ...] = ()
    subtypes: frozenset[str] = frozenset()
    subtype_words: tuple[frozenset[str], ...] = ()
    """The distinctive words of each asked subtype's name ('synovial')."""
    parents: frozenset[str] = frozenset()
    """Broader subtypes only added to ``subtypes`` ('LPS' for 'MRCLS')."""
    trials: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    topics: tuple[Topic, ...] = RESULTS
    monotherapy: bool = False
    excluded: frozenset[str] = frozenset()
    """Subtypes the question sets aside ('sarcomas other than synovial sarcoma')."""
    markers: tuple[str, ...] = ()
    """Biomarkers the question names (PD-L1, CD8, TLS), as patterns."""
    explicit: frozenset[Topic] = frozenset()
    """The topics the question names, beside those 'results' stands for."""
    terms: frozenset[str] = frozenset()
    """Other words that tell which report is meant ('expansion', 'bone')."""


def classes_of(agents: frozenset[str], vocabulary: Vocabulary) -> frozenset[str]:
    """Return the classes of ``agents`` with every broader class."""
    return frozenset(
        c for a in agents for c in vocabulary.agent_classes(a, ancestors=True)
    )


def subtype_family(code: str, vocabulary: Vocabulary) -> frozenset[str]:
    """Return a subtype, its narrower subtypes and its parent unless that is broad.

    'LPS' gives DDLPS, MRCLS ...; 'DDLPS' also gives 'LPS' (a result "in
    liposarcoma" may be the dedifferentiated one); 'BS' gives the bone sarcomas.
    """
    parents = [
        p for p in vocabulary.subtype_ancestors(code)[:1] if not vocabulary.is_broad(p)
    ]
    return frozenset({code, *vocabulary.subtype_descendants(code), *parents})


def _class_requirement(name: str, label: str, vocabulary: Vocabulary) -> Requirement:
    agents = frozenset(vocabulary.agents_in_class(name))
    return Requirement(agents=agents, classes=frozenset({name}), label=label)


def _mentions(question: str, vocabulary: Vocabulary) -> list[tuple[int, Requirement]]:
    """Return the regimens a question names, by position: classes and agents."""
    found: list[tuple[int, Requirement]] = []
    taken: list[tuple[int, int]] = []
    for mention in vocabulary.find_classes(question):
        taken.append((mention.start, mention.end))
        label = question[mention.start : mention.end]
        requirement = _class_requirement(mention.classes[0], label, vocabulary)
        for other in mention.classes[1:]:  # 'PD-1/PD-L1 inhibitors'
            requirement = requirement.joined(
                _class_requirement(other, label, vocabulary), "or"
            )
        found.append((mention.start, requirement))
    for pattern, name in BARE_CLASSES:
        for match in pattern.finditer(question):
            start, end = match.span()
            if name in vocabulary.classes and not any(
                s < end and start < e for s, e in taken
            ):
                taken.append((start, end))
                found.append(
                    (start, _class_requirement(name, match.group(), vocabulary))
                )
    seen: set[str] = set()
    for mention in vocabulary.find_agents(question):
        if mention.value in seen or any(s <= mention.start < e for s, e in taken):
            continue
        seen.add(mention.value)
        agents = frozenset({mention.value})
        found.append((mention.start, Requirement(agents=agents, label=mention.value)))
    return sorted(found, key=lambda item: item[0])


def _requirements(question: str, vocabulary: Vocabulary) -> tuple[Requirement, ...]:
    """Read regimens: 'X or Y' is one requirement, 'X with/plus/and Y' two."""
    folded = question.lower()
    merged: list[tuple[int, Requirement]] = []
    for position, requirement in _mentions(question, vocabulary):
        if merged:
            before, last = merged[-1]
            if re.search(r"\bor\b|/", folded[before:position][-12:]):
                merged[-1] = (before, last.joined(requirement, "or"))
                continue
        merged.append((position, requirement))
    return tuple(r for _, r in merged)


def question_topics(question: str, *, comparison: bool = False) -> tuple[Topic, ...]:
    """Return the topics a question asks about, most specific first.

    A question naming none, or asking for 'results', 'data' or 'activity', gets
    the efficacy results; a comparison also weighs safety and targets.
    """
    found: list[Topic] = [t for t, pattern in TOPICS if pattern.search(question)]
    if not found or GENERIC.search(question):
        found += RESULTS
    if comparison:
        found += ["toxicity", "target"]
    return tuple(dict.fromkeys(found))


def _sides(
    question: str, requirements: tuple[Requirement, ...]
) -> tuple[Requirement, ...]:
    """Return the compared regimens ('A alone with A plus B' gives {A}, {A + B}).

    "Compare the two studies of A with B" compares reports of one regimen: no sides.
    """
    text = fold(question)
    if len(requirements) < 2 or OF_ONE_REGIMEN.search(text):
        return ()
    alone = re.search(r"\b(?:alone|monotherapy)\b", text)
    if alone and len(requirements) == 2:
        first, second = requirements
        if re.search(r"\b(?:plus|with|and|combined)\b", text[alone.end() :]):
            return (first, first.joined(second, "+"))
    return requirements


def names_in(question: str, vocabulary: Vocabulary | None = None) -> frozenset[str]:
    """Return capitalised names the vocabulary does not know: SAINT, KAPKEY, DART."""
    vocab = vocabulary or default_vocabulary()
    names = set()
    for raw in TOKEN.findall(question):
        token = raw.strip("-")
        capitals = sum(c.isupper() or c.isdigit() for c in token)
        if len(token) < 3 or not token[0].isupper() or capitals < 2:
            continue
        known = vocab.canonical_agent(token) or vocab.canonical_subtype(token)
        if token.upper() in NOT_NAMES or known or token.upper().startswith("NCT"):
            continue
        if not MARKER_LIKE.match(token):
            names.add(token)
    return frozenset(names)


def _kind(question: str, query: SynthesisQuery) -> Kind | None:
    if COMPARE.search(question):
        return "comparison"
    if YESNO.search(question):
        return "yesno"
    if LIST.search(question):
        return "list"
    if not SUMMARY.search(question) or query.trials or query.names:
        return None
    if any(r.classes for r in query.requirements):
        return "class"
    return "subtype" if query.subtypes else None


def _terms(question: str, vocabulary: Vocabulary) -> frozenset[str]:
    """Return the words of a question beyond entities, topics and question words."""
    text = question.lower()
    for mention in vocabulary.entities(question):
        text = (
            text[: mention.start]
            + " " * (mention.end - mention.start)
            + text[mention.end :]
        )
    words = re.findall(r"[a-z][a-z-]{4,}", text)
    return frozenset(
        w
        for w in words
        if w not in STOPWORDS
        and w not in GENERIC_WORDS
        and not any(pattern.search(w) for _, pattern in TOPICS)
    )


def _distinctive(code: str, vocabulary: Vocabulary) -> frozenset[str]:
    generic = {"sarcoma", "tumor", "tumour", "cell", "of", "and"}
    words = re.findall(r"[a-z]+", vocabulary.subtype_label(code).lower())
    return frozenset(w for w in words if w not in generic)


def understand(
    question: str, *, focused: bool = False, vocabulary: Vocabulary | None = None
) -> SynthesisQuery | None:
    """Read a question across trials; None when it asks for a single fact.

    Args:
        question: The question, as asked (a follow-up already resolved).
        focused: Also read a question about named trials or regimens (a part
            of a multi-part question, a follow-up) as a summary of what the
            documents that report them say.
        vocabulary: Names of agents, classes, subtypes and trials (default:
            the bundled vocabulary).
    """
    vocab = vocabulary or default_vocabulary()
    tags = tag_text(question, vocab)
    requirements = _requirements(question, vocab)
    excluded = frozenset(
        c
        for m in EXCEPT.finditer(question)
        for c in tag_text(m.group(1), vocab).subtypes
    )
    mentioned = {m.value for m in vocab.find_subtypes(question)} - excluded
    subtypes = frozenset(c for s in mentioned for c in subtype_family(s, vocab))
    subtypes = frozenset(s for s in subtypes if not vocab.is_broad(s))
    asked = frozenset(c for s in mentioned for c in (s, *vocab.subtype_descendants(s)))
    query = SynthesisQuery(
        kind="summary",
        requirements=requirements,
        subtypes=subtypes,
        trials=frozenset((*tags.trials, *tags.nct_ids)),
        names=names_in(question, vocab),
        monotherapy=ALONE.search(question) is not None,
    )
    named = bool(requirements or subtypes or query.trials or query.names)
    kind = _kind(question, query)
    if kind is None and named and (focused or ABOUT.search(question)):
        kind = "summary"
    if kind is None or not named:
        return None
    sides = _sides(question, requirements) if kind == "comparison" else ()
    return SynthesisQuery(
        kind=kind,
        requirements=() if sides else requirements,
        sides=sides,
        subtypes=subtypes,
        subtype_words=tuple(_distinctive(s, vocab) for s in sorted(subtypes)),
        parents=subtypes - asked,
        trials=query.trials,
        names=query.names,
        topics=question_topics(question, comparison=kind == "comparison"),
        monotherapy=query.monotherapy and kind != "comparison",
        excluded=excluded,
        markers=tuple(p for p in MARKERS.values() if re.search(p, question, re.I)),
        explicit=frozenset(t for t, pattern in TOPICS if pattern.search(question)),
        terms=_terms(question, vocab),
    )
