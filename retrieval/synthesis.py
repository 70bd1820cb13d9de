"""Answers across trials: one cited line per trial, built from several documents.

:func:`synthesize` gathers every trial the question asks about (a class expands
to its agents, a subtype to the cohorts that name it), takes from each of its
documents the sentences that state the asked results, and writes one line per
trial (or per report, when the question compares reports of one trial): a label
naming the trial, its regimen and registration, then the sentences, each cited.
The sentences are the documents' own words, so every value is as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sarcolit.core.models import (
    Answer,
    AnswerSentence,
    Citation,
    SearchHit,
    TrialRecord,
)
from sarcolit.core.text import words_to_digits
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval.answer import cite
from sarcolit.retrieval.index import Filters, HybridIndex
from sarcolit.retrieval.synthesis_query import (
    RESULTS,
    Requirement,
    SynthesisQuery,
    classes_of,
)
from sarcolit.retrieval.synthesis_select import answered_topics
from sarcolit.retrieval.synthesis_sources import (
    Line,
    Profile,
    Sentence,
    Sources,
    read_sources,
)
from sarcolit.retrieval.synthesis_table import build_table

PER_DOCUMENT = 4
"""Most sentences taken from one document for one line."""
PER_LINE = 8
"""Most sentences on one line."""
_PRIMARY = {"trial": 0, "regulatory": 1, "article": 2}
"""Reports of a trial read first: its papers, then regulators', then news."""
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


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


def _own_groups(sources: Sources) -> list[Group]:
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


def _mention_groups(
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
        if query.monotherapy and len(group.agents) > 1 and not group.arms:
            continue
        found.append(group)
    if len(query.sides) > 1:
        every = frozenset(a for s in query.sides for a in s.agents)
        head_to_head = [g for g in found if g.arms and every <= g.agents]
        found = head_to_head or found
    return found


def _numbers(text: str) -> frozenset[str]:
    return frozenset(_NUMBERS.findall(words_to_digits(text)))


Scored = tuple[float, frozenset[str], Profile, Sentence]


@dataclass
class _Picker:
    """Takes sentences for a line: no repeated numbers, a cap per line and report."""

    picked: list[Scored] = field(default_factory=list)
    seen: set[frozenset[str]] = field(default_factory=set)
    per_doc: dict[str, int] = field(default_factory=dict)

    def take(self, item: Scored) -> None:
        numbers = _numbers(item[3].text)
        doc = item[2].doc_id
        if item in self.picked or len(self.picked) >= PER_LINE:
            return
        if (numbers and numbers in self.seen) or self.per_doc.get(
            doc, 0
        ) >= PER_DOCUMENT:
            return
        self.seen.add(numbers)
        self.per_doc[doc] = self.per_doc.get(doc, 0) + 1
        self.picked.append(item)


def _chosen(
    candidates: Iterable[tuple[Profile, Sentence]],
    query: SynthesisQuery,
    subtypes: frozenset[str] = frozenset(),
) -> list[tuple[Profile, Sentence]]:
    """Return a trial's sentences for a line, in reading order, without repeats.

    Each asked topic first gets its best sentence; then each report's best, its
    second best and so on fill the line, at most :data:`PER_DOCUMENT` from one.
    """
    scored: list[Scored] = []
    for profile, sentence in candidates:
        found = answered_topics(sentence, query, profile, subtypes)
        if found is not None:
            scored.append((found[0], found[1], profile, sentence))
    scored.sort(key=lambda s: (-s[0], s[3].position))
    picker = _Picker()
    covered = [t for t in query.topics if t in query.explicit] or query.topics
    for topic in covered:
        best = next(
            (s for s in scored if topic in s[1] and s not in picker.picked), None
        )
        if best is not None:
            picker.take(best)
    by_doc: dict[str, list[Scored]] = {}
    for item in sorted(scored, key=lambda s: _PRIMARY.get(s[2].kind, 3)):
        by_doc.setdefault(item[2].doc_id, []).append(item)
    for rank in range(PER_DOCUMENT):
        for items in by_doc.values():
            if rank < len(items):
                picker.take(items[rank])
    first = {doc: i for i, doc in enumerate(by_doc)}
    picker.picked.sort(key=lambda s: (first[s[2].doc_id], s[3].position))
    return [(p, s) for _, _, p, s in picker.picked]


def _on_topic(
    chosen: Sequence[tuple[Profile, Sentence]], query: SynthesisQuery
) -> bool:
    """Return False when no sentence states what the question asks first.

    Only a first topic beyond the results ('approvals', 'toxicity', 'which
    biomarkers') makes a trial's line depend on it.
    """
    first = query.topics[0]
    if first in RESULTS:
        return True
    for profile, sentence in chosen:
        found = answered_topics(sentence, query, profile)
        if found is not None and first in found[1]:
            return True
    return False


def _group_lines(
    group: Group,
    query: SynthesisQuery,
    sources: Sources,
    by_report: bool,
    filters: Filters,
    vocabulary: Vocabulary,
) -> list[Line]:
    own = [
        (p, s)
        for p in group.profiles
        for s in sources.sentences[p.doc_id]
        if s.own and filters.admits(s.chunk)
    ]
    mentions = [(p, s) for p, s in group.mentions if filters.admits(s.chunk)]
    subtypes = frozenset(group.subtypes)
    if by_report:
        lines = []
        for profile in group.profiles:
            chosen = _chosen([(p, s) for p, s in own if p is profile], query, subtypes)
            if chosen and _on_topic(chosen, query):
                label = f"{group.label(vocabulary)} — {profile.title}"
                lines.append(
                    Line(label, tuple(chosen), group.agents, frozenset(group.trials))
                )
        return lines
    chosen = _chosen([*own, *mentions], query, subtypes)
    if not chosen or not _on_topic(chosen, query):
        return []
    label = group.label(vocabulary)
    return [Line(label, tuple(chosen), group.agents, frozenset(group.trials))]


def _order(
    groups: list[Group], query: SynthesisQuery, vocabulary: Vocabulary
) -> list[Group]:
    def rank(group: Group) -> tuple[int, int, str]:
        side = next(
            (i for i, s in enumerate(query.sides) if _admits(group, s, query.sides)), 0
        )
        return (side, 0 if group.reported else 1, group.label(vocabulary).casefold())

    return sorted(groups, key=rank)


def _cite(sentence: Sentence, title: str, n: int) -> Citation:
    hit = SearchHit(chunk=sentence.chunk, title=title, score=0.0)
    return cite(hit, sentence.start, sentence.end, n)


def _shown(sentence: Sentence) -> str:
    """Return a sentence as a line shows it; a table row with its columns."""
    text = " ".join(sentence.text.split())
    return f"{text} (columns: {sentence.header})" if sentence.header else text


def compose(question: str, lines: Sequence[Line], notes: Sequence[str] = ()) -> Answer:
    """Return the answer: one cited line per trial (or report)."""
    citations: list[Citation] = []
    ids: dict[tuple[str, int, int], int] = {}
    sentences: list[AnswerSentence] = []
    rendered: list[str] = []
    for line in lines:
        numbers: list[int] = []
        pieces = [f"{line.label}:"]
        for profile, sentence in line.sentences:
            offset = sentence.chunk.start
            key = (
                sentence.chunk.doc_id,
                offset + sentence.start,
                offset + sentence.end,
            )
            if key not in ids:
                ids[key] = len(ids) + 1
                citations.append(_cite(sentence, profile.title, ids[key]))
            numbers.append(ids[key])
            pieces.append(f"{_shown(sentence)} [{ids[key]}]")
        text = " ".join(pieces)
        rendered.append(text)
        clean = " ".join([f"{line.label}:", *(_shown(s) for _, s in line.sentences)])
        sentences.append(
            AnswerSentence(
                text=clean, citations=tuple(dict.fromkeys(numbers)), label=line.label
            )
        )
    return Answer(
        question=question,
        answer="\n".join(rendered),
        refused=False,
        sentences=tuple(sentences),
        citations=tuple(citations),
        notes=tuple(notes),
    )


def synthesize(
    question: str,
    query: SynthesisQuery,
    index: HybridIndex,
    records: Sequence[TrialRecord] = (),
    filters: Filters | None = None,
) -> Answer | None:
    """Answer a question across trials from every document that reports them.

    Returns None when no document reports a result the question asks about, so
    the caller can fall back to the single-fact answerer (or refuse).
    """
    vocabulary = index.vocabulary
    sources = read_sources(index.documents(), index.chunks, vocabulary)
    own = _own_groups(sources)
    groups = matching_groups([*own, *_mention_groups(sources, own, vocabulary)], query)
    by_report = (
        query.kind == "comparison"
        and not query.sides
        and sum(g.reported for g in groups) == 1
    )
    lines = [
        line
        for group in _order(groups, query, vocabulary)
        for line in _group_lines(
            group,
            query,
            sources,
            by_report and group.reported,
            filters or Filters(),
            vocabulary,
        )
    ]
    if not lines:
        return None
    trials = len({line.label.split(" — ")[0] for line in lines})
    documents = len({p.doc_id for line in lines for p, _ in line.sentences})
    plural = "s" * (trials != 1)
    reports = "s" * (documents != 1)
    note = f"Synthesis of {trials} trial{plural} from {documents} document{reports}."
    answer = compose(question, lines, [note])
    table = build_table(answer, lines, query, records)
    return answer.model_copy(update={"table": table}) if table is not None else answer
