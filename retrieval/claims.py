"""What a sentence states against what a question asks: endpoint, value, time point.

Beside the entities (:mod:`sarcolit.retrieval.evidence`), a question asks for an
endpoint with a kind of value ("median PFS" wants a duration, "ORR" a
percentage, "how many patients" a count of patients, "which dose" a dose), at a
time point, in a population, phase and source. A sentence that names the
endpoint but states its value for another endpoint ("Twelve patients responded;
67% had a DOR of 6 months") does not answer a question about the response rate.
"""

from __future__ import annotations

import re

from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval.facts import (
    endpoint_text,
    endpoints_in,
    has_ci,
    has_duration,
    has_number,
    has_percent,
    timepoints_in,
    value_text,
)
from sarcolit.retrieval.qualifiers import (
    ANALYSES,
    DOSE,
    MEETINGS,
    NCT_ID,
    POPULATION,
    POPULATIONS,
    REASON,
    REGULATORS,
    RIVALS,
    SOURCES,
    YEAR,
    counts,
    phases_in,
)
from sarcolit.retrieval.question import Question
from sarcolit.retrieval.setting import Setting, Tally
from sarcolit.retrieval.tables import CELLS, relevant, row_cells
from sarcolit.retrieval.tokens import tokenize

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
MASTHEAD_CHARS = 300
"""Characters of a document's opening that say what it is (journal, meeting)."""
_PERCENT_SIGN = re.compile(r"\d\s*%")
_AUTHOR = re.compile(r"\b([A-Z][a-z]{2,})(?= et al\b| and colleagues\b)")
CONTENT_SHARE = 0.5
"""Least share of its content words a sentence must hold to answer a question
that names no endpoint ("Which pathway was linked to resistance ...")."""


def _names_source(described: str, source: str) -> bool:
    return any(re.search(rf"\b{re.escape(a)}\b", described) for a in SOURCES[source])


def sources(q: Question, s: Setting, tally: Tally) -> None:
    """A named regulator or meeting must be where the document comes from.

    A named journal counts in favour; a document from another journal or
    meeting is another report. Years and analyses ('interim') are read from the
    masthead only, where the document says what it is.
    """
    own = f"{s.text}\n{s.header}".lower()
    described = (s.head.describe() if s.head else "") + "\n" + own
    masthead = (s.head.describe(MASTHEAD_CHARS) if s.head else "") + "\n" + own
    if q.regulatory and s.head is not None:
        if s.head.kind == "regulatory":
            tally.hold("regulatory", 1.0)
        else:
            tally.bonus -= 1.0
    for source in sorted(q.sources):
        if _names_source(described, source):
            tally.hold(source, 1.0)
        elif source in REGULATORS or source in MEETINGS:
            tally.missing.append(f"the {source}")
        elif any(_names_source(masthead, other) for other in SOURCES):
            tally.violations.append(f"another report than the {source} one")
        else:
            tally.bonus -= 1.0
    _analyses_and_years(q, masthead, tally)


def _analyses_and_years(q: Question, masthead: str, tally: Tally) -> None:
    for analysis in sorted(q.analyses):
        if ANALYSES[analysis].search(masthead):
            tally.hold(analysis, 1.0)
        elif any(p.search(masthead) for p in ANALYSES.values()):
            tally.bonus -= 1.5  # the primary analysis for the interim one
    years = set(YEAR.findall(masthead))
    for year in sorted(q.years):
        if year in years:
            tally.hold(year, 1.0)
        elif q.sources & MEETINGS:
            tally.missing.append(year)
        elif years:
            tally.bonus -= 2.0  # another year's report


def populations(q: Question, s: Setting, tally: Tally) -> None:
    """'bone' and 'soft tissue' cohorts exclude each other; the sentence first."""
    title = s.head.title if s.head else ""
    places = (
        (f"{s.text}\n{s.header}", 1.0),
        (s.local_text, 0.6),
        (s.section, 0.6),
        (title, 0.6),
    )
    for name in q.populations:
        rival = RIVALS.get(name)
        for text, weight in places:
            if POPULATIONS[name].search(text):
                tally.hold(name, weight)
                break
            if rival and POPULATIONS[rival].search(text):
                tally.violations.append(f"the {rival} cohort")
                break
        else:
            if rival:  # a bone or soft-tissue cohort must be named
                tally.missing.append(f"the {name} cohort")
    # An expansion cohort is enrolled after the trial's first one: its results
    # are not what a question about the trial's cohort asks for.
    if "expansion" not in q.populations and POPULATIONS["expansion"].search(
        f"{s.text}\n{s.header}"
    ):
        tally.bonus -= 3.0


def modifiers(q: Question, s: Setting, tally: Tally) -> None:
    """'endemic' Kaposi sarcoma, 'uterine' leiomyosarcoma: named near the answer."""
    title = s.head.title if s.head else ""
    text = f"{s.text}\n{s.header}\n{s.local_text}\n{s.section}\n{title}".lower()
    for word in q.modifiers:
        if word in text:
            tally.hold(word, 1.0)
        else:
            tally.missing.append(word)


def answer_type(q: Question, s: Setting, tally: Tally) -> None:
    """'Which subtype responded?' is answered by a sentence that names one."""
    if q.asks_subtype and not s.own.subtypes:
        tally.missing.append("a subtype")
    if q.asks == "reason" and not REASON.search(s.text):
        tally.missing.append("a reason")
    if q.asks == "population" and not POPULATION.search(s.text):
        tally.missing.append("a description of the patients")


def authors(q: Question, s: Setting, tally: Tally) -> None:
    """A study 'by Livingston and colleagues' is not the Pollack trial."""
    asked = {n.lower() for n in (*q.names, *q.soft_names) if n.isalpha()}
    named = {a.lower() for a in _AUTHOR.findall(s.text)}
    if asked and named and not asked & named:
        tally.violations.append(f"another group's study ({', '.join(sorted(named))})")


def phases(q: Question, s: Setting, tally: Tally) -> None:
    """'The phase II trial' is not the phase 1/2 one; a part of a trial may be."""
    if not q.phases:
        return
    found = phases_in(s.text) or (
        frozenset({s.head.phase}) if s.head and s.head.phase else frozenset()
    )
    if not found:
        return
    if q.phases & found:
        tally.hold("phase", 1.0)
        return
    asked = {p for phase in q.phases for p in phase.split("/")}
    named = {p for phase in found for p in phase.split("/")}
    if asked & named:
        tally.bonus -= 1.0  # phase 1/2 for phase II: perhaps its phase 2 part
    else:
        tally.violations.append(f"a phase {', '.join(sorted(found))} trial")


def endpoint(q: Question, s: Setting, tally: Tally, vocab: Vocabulary) -> None:
    """The sentence (or its table header) names the endpoint and states a value."""
    named = endpoints_in(f"{s.text}\n{s.header}", vocab)
    if q.endpoint is not None:
        if q.endpoint in named:
            tally.hold(q.endpoint_label(), 1.5)
            tally.bonus += 0.3 * len((q.endpoints - {q.endpoint}) & named)
        elif not named and q.endpoint in endpoints_in(s.local_text[-300:], vocab):
            # "The most common were cytopenias ..." goes on about the adverse
            # events the sentence before named.
            tally.hold(q.endpoint_label(), 0.5)
        else:
            tally.missing.append(q.endpoint_label())
            return
    _timepoint(q, s, tally)
    text = s.text
    if q.endpoint and not s.header:
        text = endpoint_text(s.text, q.endpoint, vocab)
    if s.header or CELLS in s.text:
        if q.value is not None and not _row_value(q, s, vocab):
            tally.missing.append(f"a value for {q.endpoint_label() or 'the question'}")
        return
    if q.value == "percent" and _PERCENT_SIGN.search(text):
        tally.bonus += 1.0  # "37%" over "roughly a third"
    if q.value is not None and not has_value(q.value, text):
        tally.missing.append(f"a value for {q.endpoint_label() or 'the question'}")
    if q.count and not counts(value_text(s.text), q.count):
        tally.missing.append(f"a number of {q.count}")


def _timepoint(q: Question, s: Setting, tally: Tally) -> None:
    found = timepoints_in(f"{s.text}\n{s.header}")
    if not q.timepoints:
        if found and q.endpoint:
            tally.bonus -= 1.0  # a rate at a time point for an overall question
        return
    if any(a.matches(f) for a in q.timepoints for f in found):
        tally.hold("time point", 1.0)
    elif found:
        labels = ", ".join(f.label for f in found)
        tally.violations.append(f"another time point ({labels})")
    else:
        tally.missing.append(" or ".join(t.label for t in q.timepoints))


def has_value(kind: str, text: str) -> bool:
    """Return True when ``text`` states a value of the ``kind`` a question wants."""
    match kind:
        case "ci":
            return has_ci(value_text(text))
        case "duration":
            return has_duration(text)
        case "percent":
            return has_percent(text)
        case "dose":
            return bool(DOSE.search(text))
        case "nct":
            return bool(NCT_ID.search(text))
        case _:
            return has_number(text)


def _row_value(q: Question, s: Setting, vocab: Vocabulary) -> bool:
    """Check the cells a question asks about, read with their column's unit."""
    _, found = row_cells(s.text, s.header)
    words = frozenset(q.content) | ({q.count.rstrip("s")} if q.count else set())
    chosen = relevant(found, q.endpoints, words, vocab)
    if not chosen and q.value != "count":
        chosen = found
    for cell in chosen:
        value = cell.value
        match q.value:
            case "percent":
                ok = has_percent(value) or (cell.unit == "%" and has_number(value))
            case "duration":
                ok = has_duration(value) or (
                    cell.unit in ("months", "weeks") and has_number(value)
                )
            case "count":
                ok = cell.unit in ("", "n") and has_number(value)
            case kind:
                ok = has_value(kind or "number", value)
        if ok:
            return True
    return False


STEM_PREFIX = 6
"""Least length of a stem that also holds its longer derivations."""


def holds_word(word: str, tokens: frozenset[str]) -> bool:
    """Return True when ``tokens`` hold ``word``'s stem or a derivation of it.

    The stemmer leaves derivations apart ('predict' and 'predictor',
    'respond' and 'responder'); a long enough stem that opens a token is that word.
    """
    if word in tokens:
        return True
    return len(word) >= STEM_PREFIX and any(t.startswith(word) for t in tokens)


def as_written(text: str, stems: list[str]) -> list[str]:
    """Return stems as the question writes them ('cours' -> 'course'), for people."""
    written: dict[str, str] = {}
    for word in re.findall(r"[A-Za-z][\w'-]*", text):
        for stem in tokenize(word):
            written.setdefault(stem, word.lower())
    return [f"'{written.get(stem, stem)}'" for stem in stems]


def content(q: Question, s: Setting, tally: Tally) -> None:
    """The words of what is asked ('neutropenia', 'pathway', 'supplied')."""
    if not q.content:
        return
    share = sum(holds_word(w, s.tokens) for w in q.content) / len(q.content)
    tally.bonus += 2.0 * share
    # A bare number asked for ("How much does a course cost?") is a number of
    # what the question's words name: a sentence holding none of them is about
    # something else.
    bare = q.value in ("number", "percent") and q.endpoint is None
    # "Which patients did it enrol?": the description of them is the answer,
    # whatever verb the question chose.
    needed = 0.0 if q.asks == "population" else CONTENT_SHARE
    if share < (needed if q.value is None else 1e-9 if bare else 0.0):
        missing = [w for w in q.content if not holds_word(w, s.tokens)]
        shown = as_written(q.text, missing)
        tally.missing.append(f"the words {', '.join(shown)}")


def anchors(q: Question, s: Setting, tally: Tally) -> None:
    """Numbers the question quotes ('all 52 cohort 1 patients') are in its answer."""
    if not q.anchors:
        return
    found = set(re.findall(r"\d+(?:\.\d+)?", f"{s.text} {s.header}"))
    held = q.anchors & found
    if held:
        tally.hold(", ".join(sorted(held)), 1.0 * len(held))
    elif q.value is None:
        # "Which trial reported 19 responders among 52?" names its answer by them.
        tally.missing.append(", ".join(sorted(q.anchors)))
    else:
        tally.bonus -= 1.0


def priors(q: Question, s: Setting, tally: Tally) -> None:
    """Where a sentence stands: results over methods, results over design."""
    section = s.section.lower()
    design = _DESIGN.search(s.text) is not None
    if q.asks_design:
        tally.bonus += 2.0 if design else 0.0
    elif _RESULTS_SECTION.search(section):
        tally.bonus += 1.0
    elif _METHODS_SECTION.search(section):
        tally.bonus -= 2.0 if q.value is not None else 0.5
    if design and not q.asks_design:
        tally.bonus -= 3.0 if q.value is not None else 1.5
    if not q.entities.subtypes and (s.own.subtypes or s.local.subtypes):
        tally.bonus -= 2.0  # a subgroup's result for a question about everyone
