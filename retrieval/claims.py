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
    DOSE,
    MEETINGS,
    NCT_ID,
    POPULATIONS,
    REGULATORS,
    RIVALS,
    SOURCES,
    YEAR,
    counts,
    phases_in,
)
from sarcolit.retrieval.question import Question
from sarcolit.retrieval.setting import Setting, Tally

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
CONTENT_SHARE = 0.5
"""Least share of its content words a sentence must hold to answer a question
that names no endpoint ("Which pathway was linked to resistance ...")."""


def sources(q: Question, s: Setting, tally: Tally) -> None:
    """A named regulator or meeting must be where the document comes from."""
    described = s.head.describe() if s.head else ""
    for source in sorted(q.sources):
        aliases = SOURCES[source]
        if any(re.search(rf"\b{re.escape(a)}\b", described) for a in aliases):
            tally.hold(source, 1.0)
        elif source in REGULATORS or source in MEETINGS:
            tally.missing.append(f"the {source}")
        else:
            tally.bonus -= 1.0  # another journal's report: a weaker answer
    years = set(YEAR.findall(described))
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
    for name in q.populations:
        rival = RIVALS.get(name)
        for text, weight in ((s.text, 1.0), (s.local_text, 0.6), (title, 0.6)):
            if POPULATIONS[name].search(text):
                tally.hold(name, weight)
                break
            if rival and POPULATIONS[rival].search(text):
                tally.violations.append(f"the {rival} cohort")
                break


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
        else:
            tally.missing.append(q.endpoint_label())
            return
    _timepoint(q, s, tally)
    text = s.text
    if q.endpoint and not s.header:
        text = endpoint_text(s.text, q.endpoint, vocab)
    kind = q.value
    if s.header and kind in ("percent", "count", "duration"):
        kind = "number"  # a row's units are in its header ("ORR, %")
    if kind is not None and not has_value(kind, text):
        tally.missing.append(f"a value for {q.endpoint_label() or 'the question'}")
    if q.count and not s.header and not counts(value_text(s.text), q.count):
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


def content(q: Question, s: Setting, tally: Tally) -> None:
    """The words of what is asked ('neutropenia', 'pathway', 'supplied')."""
    if not q.content:
        return
    share = sum(w in s.tokens for w in q.content) / len(q.content)
    tally.bonus += 2.0 * share
    if q.endpoint is None and q.value is None and share < CONTENT_SHARE:
        missing = [w for w in q.content if w not in s.tokens]
        tally.missing.append(f"the words {', '.join(missing)}")


def anchors(q: Question, s: Setting, tally: Tally) -> None:
    """Numbers the question quotes ('all 52 cohort 1 patients') are in its answer."""
    if not q.anchors:
        return
    found = set(re.findall(r"\d+(?:\.\d+)?", f"{s.text} {s.header}"))
    held = q.anchors & found
    if held:
        tally.hold(", ".join(sorted(held)), 1.0 * len(held))
    else:
        tally.bonus -= 1.0


def priors(q: Question, s: Setting, tally: Tally) -> None:
    """Where a sentence stands: results over methods, results over design."""
    section = s.section.lower()
    if _RESULTS_SECTION.search(section):
        tally.bonus += 1.0
    elif _METHODS_SECTION.search(section):
        tally.bonus -= 2.0 if q.value is not None else 0.5
    if q.value is not None and _DESIGN.search(s.text):
        tally.bonus -= 3.0
    if not q.entities.subtypes and (s.own.subtypes or s.local.subtypes):
        tally.bonus -= 2.0  # a subgroup's result for a question about everyone
