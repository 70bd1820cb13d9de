"""Does a sentence hold the qualifiers a question names? Directly or by context.

A sentence answers a question only when every qualifier the question names holds
for it: in the sentence itself, in its paragraph (a review names the trial a
sentence or two before), or in its document's subject (a single-trial abstract
names its trial in the title). A sentence that names another trial, agent,
subtype, arm, population or time point contradicts the question and is never
the answer. A subtype holds through the document only when the document is about
that one subtype: a multi-cohort trial's overall ORR is not its ASPS ORR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sarcolit.core.models import Tags
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval.facts import (
    endpoint_text,
    endpoints_in,
    has_ci,
    has_duration,
    has_number,
    has_percent,
    subtype_covers,
    timepoints_in,
)
from sarcolit.retrieval.question import (
    MEETINGS,
    POPULATIONS,
    REGULATORS,
    SOURCES,
    Question,
)
from sarcolit.retrieval.sparse import DocHead

_MONO_CUE = re.compile(
    r"\b(?:alone|monotherapy|single[- ]agent|on (?:its|their) own|single drug)\b",
    re.IGNORECASE,
)
_RESULTS_SECTION = re.compile(
    r"\b(?:results?|findings|efficacy|safety|outcomes?|key results|basis)\b"
)
_METHODS_SECTION = re.compile(
    r"\b(?:methods?|background|introduction|design|objectives?|purpose|importance|"
    r"interventions?|main outcomes|rationale|why|eligibility|who can take part)\b"
)
# Sentences that define endpoints or targets rather than report results.
_DESIGN = re.compile(
    r"\b(?:primary|secondary|main) (?:end ?points?|outcomes?|efficacy outcome)"
    r"(?: measures?)? (?:was|were|included|is|are)\b"
    r"|\bend ?points? (?:was|were|included)\b|\bwould be (?:called|considered|"
    r"declared|deemed)\b|\bwas (?:considered|defined as)\b|\brequired\b"
    r"|\bto be declared\b|\bdesign(?:ed)? (?:required|assumed|targeted)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19[89]\d|20[0-4]\d)\b")


@dataclass(frozen=True)
class Setting:
    """A sentence and the context it is read in."""

    text: str
    own: Tags
    local: Tags
    """Entities of the sentences before it in its paragraph, and its section."""
    local_text: str
    subject: Tags
    """Entities of the trial its document reports (empty for reviews)."""
    header: str = ""
    """The header row, when the sentence is a table row."""
    section: str = ""
    head: DocHead | None = None
    doc_words: frozenset[str] = frozenset()
    """Lower-cased words of the whole document (single-trial texts only)."""


@dataclass(frozen=True)
class Verdict:
    """How a sentence stands against the question's qualifiers."""

    violations: tuple[str, ...] = ()
    """Qualifiers the sentence contradicts: 'another subtype (LPS)'."""
    missing: tuple[str, ...] = ()
    """Qualifiers it does not show: 'UPS', 'ORR', '24-month'."""
    held: tuple[str, ...] = ()
    """Qualifiers it holds."""
    bonus: float = 0.0
    """Qualifiers held in the sentence itself count more than by context."""

    @property
    def ok(self) -> bool:
        """True when the sentence holds every qualifier and contradicts none."""
        return not self.violations and not self.missing


@dataclass
class _Tally:
    violations: list[str]
    missing: list[str]
    held: list[str]
    bonus: float = 0.0

    def hold(self, what: str, weight: float) -> None:
        self.held.append(what)
        self.bonus += weight


def _trials(q: Question, s: Setting, tally: _Tally) -> None:
    """Trial names and NCT ids: names compare with names, ids with ids."""
    for field in ("trials", "nct_ids"):
        asked = set(getattr(q.entities, field))
        if not asked:
            continue
        for where, weight in ((s.own, 1.0), (s.local, 0.6), (s.subject, 0.8)):
            named = set(getattr(where, field))
            if asked & named:
                tally.hold(", ".join(sorted(asked)), weight)
                break
            if named and not _family(asked, named):
                tally.violations.append(f"another trial ({', '.join(sorted(named))})")
                break
        else:
            tally.missing.append(", ".join(sorted(asked)))


def _family(asked: set[str], named: set[str]) -> bool:
    """Return True when a named trial is the asked one's family ('ImmunoSarc-I')."""
    return any(
        n.startswith(a + "-") or a.startswith(n + "-") for a in asked for n in named
    )


def _agents(q: Question, s: Setting, tally: _Tally) -> None:
    asked = set(q.entities.agents)
    if not asked:
        _classes(q, s, tally)
        return
    subject = set(s.subject.agents)
    if s.own.agent_classes and not s.own.agents:
        tally.bonus -= 0.5  # a sentence about a whole class ("anti-PD-1 therapy")
    for where, weight in ((s.own, 1.0), (s.local, 0.6)):
        named = set(where.agents)
        if not named:
            continue
        if asked <= named | subject:
            tally.hold(" + ".join(sorted(asked)), weight)
            _arm(q, s, named, tally)
        elif named & asked:
            tally.missing.append(" + ".join(sorted(asked - named - subject)))
        elif not (named <= subject and asked <= subject):
            tally.violations.append(f"another agent ({', '.join(sorted(named))})")
        else:
            tally.hold(" + ".join(sorted(asked)), 0.8)
        return
    if asked <= subject:
        tally.hold(" + ".join(sorted(asked)), 0.8)
    elif subject and not subject & asked:
        tally.violations.append(f"another agent ({', '.join(sorted(subject))})")
    else:
        tally.missing.append(" + ".join(sorted(asked)))


def _arm(q: Question, s: Setting, named: set[str], tally: _Tally) -> None:
    """A combination's sentence is not the single agent's, unless it says 'alone'."""
    extra = named - set(q.entities.agents)
    if q.arm == "mono" and extra and not _MONO_CUE.search(s.text):
        tally.violations.append(f"the combination with {', '.join(sorted(extra))}")


def _classes(q: Question, s: Setting, tally: _Tally) -> None:
    asked = set(q.entities.agent_classes)
    if not asked:
        return
    for where, weight in ((s.own, 1.0), (s.local, 0.6), (s.subject, 0.8)):
        if asked & set(where.agent_classes):
            tally.hold(", ".join(sorted(asked)), weight)
            return
    tally.missing.append(", ".join(sorted(asked)))


def _subtypes(q: Question, s: Setting, tally: _Tally, vocab: Vocabulary) -> None:
    def covers(asked: str, found: str) -> bool:
        return subtype_covers(asked, found, vocab)

    for asked in q.entities.subtypes:
        for where, weight in ((s.own, 1.0), (s.local, 0.6)):
            if any(covers(asked, found) for found in where.subtypes):
                tally.hold(asked, weight)
                break
            if where.subtypes and not any(
                covers(found, asked) for found in where.subtypes
            ):
                tally.violations.append(
                    f"another subtype ({', '.join(sorted(where.subtypes))})"
                )
                break
        else:
            subject = s.subject.subtypes
            if len(subject) == 1 and covers(asked, subject[0]):
                tally.hold(asked, 0.8)
            elif subject and not any(covers(asked, f) for f in subject):
                tally.violations.append(f"another subtype ({', '.join(subject)})")
            else:
                tally.missing.append(asked)


def _names(q: Question, s: Setting, tally: _Tally) -> None:
    text = f"{s.text}\n{s.local_text}\n{s.header}".lower()
    head = s.head.describe() if s.head else ""
    for name in (*q.names, *q.soft_names):
        low = name.lower()
        if low in text:
            tally.hold(name, 1.0)
        elif low in head or low in s.doc_words:
            tally.hold(name, 0.5)
        elif name in q.names:
            tally.missing.append(name)


def _sources(q: Question, s: Setting, tally: _Tally) -> None:
    """A named regulator or meeting must be where the document comes from."""
    described = s.head.describe() if s.head else ""
    for source in sorted(q.sources):
        aliases = SOURCES[source]
        if any(re.search(rf"\b{re.escape(a)}\b", described) for a in aliases):
            tally.hold(source, 0.5)
        elif source in REGULATORS or source in MEETINGS:
            tally.missing.append(f"the {source}")
        else:
            tally.bonus -= 0.3  # another journal's report: a weaker answer
    for year in sorted(q.years):
        if year in described:
            tally.hold(year, 0.3)
        elif q.sources & MEETINGS:
            tally.missing.append(year)


def _populations(q: Question, s: Setting, tally: _Tally) -> None:
    """'bone' and 'soft tissue' cohorts exclude each other; the sentence first."""
    rivals = {"bone": "soft tissue", "soft tissue": "bone"}
    for name in q.populations:
        rival = rivals.get(name)
        for text, weight in ((s.text, 1.0), (s.local_text, 0.6)):
            if POPULATIONS[name].search(text):
                tally.hold(name, 0.5 * weight)
                break
            if rival and POPULATIONS[rival].search(text):
                tally.violations.append(f"the {rival} cohort")
                break


def _endpoint(q: Question, s: Setting, tally: _Tally, vocab: Vocabulary) -> None:
    """The sentence (or its table header) names the endpoint and states a value."""
    named = endpoints_in(f"{s.text}\n{s.header}", vocab)
    if q.endpoint is not None:
        if q.endpoint in named:
            tally.hold(q.endpoint_label(), 1.5)
            tally.bonus += 0.3 * len((q.endpoints - {q.endpoint}) & named)
        else:
            tally.missing.append(q.endpoint_label())
            return
    if q.timepoints:
        found = timepoints_in(f"{s.text}\n{s.header}")
        if any(a.matches(f) for a in q.timepoints for f in found):
            tally.hold("time point", 1.0)
        elif found:
            labels = ", ".join(f.label for f in found)
            tally.violations.append(f"another time point ({labels})")
        else:
            tally.missing.append(" or ".join(t.label for t in q.timepoints))
    text = s.text
    if q.endpoint and not s.header:
        text = endpoint_text(s.text, q.endpoint, vocab)
    if q.value is not None and not _has_value(q.value, text):
        tally.missing.append(f"a value for {q.endpoint_label() or 'the question'}")


def _has_value(kind: str, text: str) -> bool:
    match kind:
        case "ci":
            return has_ci(text)
        case "duration":
            return has_duration(text)
        case "percent":
            return has_percent(text)
        case _:
            return has_number(text)


def _priors(q: Question, s: Setting, tally: _Tally) -> None:
    """Where a sentence stands: results over methods, results over design."""
    if q.value is None:
        return
    section = s.section.lower()
    if _RESULTS_SECTION.search(section):
        tally.bonus += 1.0
    elif _METHODS_SECTION.search(section):
        tally.bonus -= 2.0
    if _DESIGN.search(s.text):
        tally.bonus -= 3.0
    if not q.entities.subtypes and (s.own.subtypes or s.local.subtypes):
        tally.bonus -= 1.0  # a subgroup's result for a question about everyone
    described = s.head.describe() if s.head else ""
    years = set(_YEAR.findall(described))
    if q.years and years and not q.years & years:
        tally.bonus -= 2.0  # another year's report


def judge(q: Question, s: Setting, vocab: Vocabulary) -> Verdict:
    """Return how sentence ``s`` (in its context) stands against question ``q``."""
    tally = _Tally([], [], [])
    _trials(q, s, tally)
    _agents(q, s, tally)
    _subtypes(q, s, tally, vocab)
    _names(q, s, tally)
    _sources(q, s, tally)
    _populations(q, s, tally)
    _endpoint(q, s, tally, vocab)
    _priors(q, s, tally)
    return Verdict(
        violations=tuple(dict.fromkeys(tally.violations)),
        missing=tuple(dict.fromkeys(m for m in tally.missing if m)),
        held=tuple(dict.fromkeys(tally.held)),
        bonus=tally.bonus,
    )
