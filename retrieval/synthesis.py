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
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval.answer import cite
from sarcolit.retrieval.index import Filters, HybridIndex
from sarcolit.retrieval.synthesis_groups import (
    Group,
    matching_groups,
    mention_groups,
    order_groups,
    own_groups,
)
from sarcolit.retrieval.synthesis_query import (
    RESULTS,
    SynthesisQuery,
)
from sarcolit.retrieval.synthesis_select import answered_topics, numbers_of
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
ROOMY = (12, 6)
"""Sentences per line and per report when the answer is about few trials."""
ROOMY_GROUPS = 2
GENERAL_TOPICS = frozenset({"biomarker", "target"})
"""Topics that reviews answer beyond any one trial."""
_PRIMARY = {"trial": 0, "regulatory": 1, "article": 2}
"""Reports of a trial read first: its papers, then regulators', then news."""
_REGULATOR_FIRST = {"regulatory": 0, "trial": 1, "article": 2}
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


def _numbers(text: str) -> frozenset[str]:
    return numbers_of(text)


Scored = tuple[float, frozenset[str], Profile, Sentence]


@dataclass
class _Picker:
    """Takes sentences for a line: no repeated numbers, a cap per line and report."""

    per_line: int = PER_LINE
    per_document: int = PER_DOCUMENT
    picked: list[Scored] = field(default_factory=list)
    seen: set[frozenset[str]] = field(default_factory=set)
    per_doc: dict[str, int] = field(default_factory=dict)

    def take(self, item: Scored) -> None:
        numbers = _numbers(item[3].text)
        doc = item[2].doc_id
        if item in self.picked or len(self.picked) >= self.per_line:
            return
        if numbers and numbers in self.seen:
            return
        if self.per_doc.get(doc, 0) >= self.per_document:
            return
        known = frozenset().union(*self.seen) if self.seen else frozenset()
        if not item[3].own and numbers and numbers <= known:
            return  # a review restating what the trial's reports already say
        self.seen.add(numbers)
        self.per_doc[doc] = self.per_doc.get(doc, 0) + 1
        self.picked.append(item)


def _varied(items: list[Scored]) -> list[Scored]:
    """Order one report's sentences best first, but each next one on a new topic.

    An approval notice's second sentence is then the data the approval rests
    on, not a second sentence about the approval.
    """
    rest = list(items)
    ordered: list[Scored] = []
    told: set[str] = set()
    while rest:
        item = next((s for s in rest if not s[1] <= told), rest[0])
        rest.remove(item)
        ordered.append(item)
        told |= item[1]
        if all(s[1] <= told for s in rest):
            ordered += rest
            break
    return ordered


def _chosen(
    candidates: Iterable[tuple[Profile, Sentence]],
    query: SynthesisQuery,
    subtypes: frozenset[str] = frozenset(),
    *,
    roomy: bool = False,
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
    picker = _Picker(*ROOMY) if roomy else _Picker()
    covered = [t for t in query.topics if t in query.explicit] or query.topics
    for topic in covered:
        best = next(
            (s for s in scored if topic in s[1] and s not in picker.picked), None
        )
        if best is not None:
            picker.take(best)
    first = query.topics[0]
    answering = {s[2].doc_id for s in scored if first in s[1]}
    primary = _REGULATOR_FIRST if first == "approval" else _PRIMARY
    by_doc: dict[str, list[Scored]] = {}
    # Reports that answer what is asked first lead, then papers before news
    # (regulators' own reports first when approvals are asked about).
    for item in sorted(
        scored,
        key=lambda s: (s[2].doc_id not in answering, primary.get(s[2].kind, 3)),
    ):
        by_doc.setdefault(item[2].doc_id, []).append(item)
    if first not in RESULTS:
        by_doc = {doc: _varied(items) for doc, items in by_doc.items()}
    for rank in range(picker.per_document):
        for items in by_doc.values():
            if rank < len(items):
                picker.take(items[rank])
    rank_of = {doc: i for i, doc in enumerate(by_doc)}
    picker.picked.sort(key=lambda s: (rank_of[s[2].doc_id], s[3].position))
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


def _meant(group: Group, query: SynthesisQuery) -> list[Profile]:
    """Return the reports of a trial a summary asks about.

    "What happened in the expansion cohorts?" means the reports whose title or
    opening speaks of expansion cohorts, when some do and others do not.
    """
    if query.kind != "summary" or not query.terms:
        return group.profiles
    meant = [
        p
        for p in group.profiles
        if any(
            re.search(rf"\b{re.escape(t)}", p.opening[:300].lower())
            for t in query.terms
        )
    ]
    return meant or group.profiles


def _group_lines(
    group: Group,
    query: SynthesisQuery,
    sources: Sources,
    by_report: bool,
    filters: Filters,
    vocabulary: Vocabulary,
    roomy: bool = False,
) -> list[Line]:
    own = [
        (p, s)
        for p in _meant(group, query)
        for s in sources.sentences[p.doc_id]
        if s.own and filters.admits(s.chunk)
    ]
    mentions = [(p, s) for p, s in group.mentions if filters.admits(s.chunk)]
    subtypes = frozenset(group.subtypes)
    if by_report:
        lines = []
        for profile in group.profiles:
            mine = [(p, s) for p, s in own if p is profile]
            chosen = _chosen(mine, query, subtypes, roomy=roomy)
            if chosen and _on_topic(chosen, query):
                label = f"{group.label(vocabulary)} — {profile.title}"
                lines.append(
                    Line(label, tuple(chosen), group.agents, frozenset(group.trials))
                )
        return lines
    chosen = _chosen([*own, *mentions], query, subtypes, roomy=roomy)
    if not chosen or not _on_topic(chosen, query):
        return []
    label = group.label(vocabulary)
    return [Line(label, tuple(chosen), group.agents, frozenset(group.trials))]


def _general_lines(
    sources: Sources, query: SynthesisQuery, filters: Filters
) -> list[Line]:
    """Return what reviews say about a biomarker or target beyond any one trial.

    Only for a question that asks first about a biomarker or a target ("Is
    PD-L1 expression a reliable biomarker?") and names no agent: "PD-L1
    positivity in 12-23% of STS" belongs to no trial but answers it.
    """
    if query.topics[0] not in GENERAL_TOPICS or any(
        r.agents and not r.classes for r in query.requirements
    ):
        return []
    lines = []
    for doc_id, sentences in sources.sentences.items():
        profile = sources.profiles[doc_id]
        if not profile.multi:
            continue
        general = [
            (profile, s)
            for s in sentences
            if not (s.agents or s.classes or s.trials) and filters.admits(s.chunk)
        ]
        chosen = _chosen(general, query)
        if chosen and _on_topic(chosen, query):
            lines.append(Line(f"{profile.title} (review)", tuple(chosen)))
    return lines


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
    own = own_groups(sources)
    groups = matching_groups([*own, *mention_groups(sources, own, vocabulary)], query)
    by_report = (
        query.kind == "comparison"
        and not query.sides
        and sum(g.reported for g in groups) == 1
    )
    lines = [
        line
        for group in order_groups(groups, query, vocabulary)
        for line in _group_lines(
            group,
            query,
            sources,
            by_report and group.reported,
            filters or Filters(),
            vocabulary,
            roomy=len(groups) <= ROOMY_GROUPS,
        )
    ]
    lines += _general_lines(sources, query, filters or Filters())
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
