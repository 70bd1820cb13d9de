"""Question understanding: the qualifiers a question names, which its answer must hold.

A question names entities (trial, NCT id, agent or class, subtype), an endpoint
(ORR, median PFS ...), a time point ("12-week", "at 24 weeks"), an arm ("alone",
"plus ipilimumab"), a population ("bone sarcoma cohort") and a source ("in the FDA
review", "at ASCO 2019"). :func:`parse_question` reads them once; the passages and
sentences of an answer are then checked against them
(:mod:`sarcolit.retrieval.evidence`).
Names no vocabulary entry covers (KAPKEY, Livingston) are found in
:mod:`sarcolit.retrieval.question_names`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from sarcolit.core.models import Tags
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval.facts import (
    TimePoint,
    endpoint_label,
    endpoints_in,
    entities_in,
    first_endpoint,
    timepoints_in,
)
from sarcolit.retrieval.qualifiers import (
    ANALYSES,
    ASKS_POPULATION,
    ASKS_REASON,
    ASKS_SUBTYPE,
    COMBO,
    CONTROL,
    MONO,
    POPULATIONS,
    SOURCE_PATTERNS,
    YEAR,
    asks_dose,
    asks_nct,
    count_noun,
    modifiers,
    phases_in,
)
from sarcolit.retrieval.question_names import names_in, plain_names
from sarcolit.retrieval.tokens import tokenize

_SHARE = re.compile(
    r"\b(?:how often|how common|what share|what proportion|percentage|percent|"
    r"share of|proportion of|rates?)\b"
)
_QUANTITY = re.compile(
    r"\b(?:how (?:many|much|often|long|common)|"
    r"what (?:share|proportion|percentage|rate)|"
    r"rates?|ratio|median|percent|proportion|share|number|orr|pfs|os|dcr|dor|"
    r"response rate|survival|dose|doses|schedule|follow-up|interval)\b"
)
# A number in a question that is not a time point or a year anchors its answer:
# "across all 52 cohort 1 patients", "19 responders among 52".
_ANCHOR = re.compile(r"(?<![\w.-])(\d+(?:\.\d+)?)(?![\w-])")
# Words of a question that say what kind of answer it wants, not what it is about.
_QUESTION_TEXT = """achieve achieved report reported see seen observe observed show
shown give given produce produced reach reached occur occurred include included
record recorded found among whole overall advanced cohort cohorts arm arms group
groups result results final rate rates number share proportion percentage median
many much often long value paper journal published analysis interim primary
updated update summary review news abstract table trial study patients plus
combined combination sarcoma sarcomas month week year phase colleagues bone
soft tissue subtype subtypes histology histologies expansion"""


@lru_cache(maxsize=1)
def _question_words() -> frozenset[str]:
    """Return the stems of words that say what kind of answer a question wants."""
    return frozenset(tokenize(_QUESTION_TEXT))


_DESIGN_QUESTION = re.compile(
    r"\b(?:primary|secondary) (?:end ?points?|outcomes?)\b|\beligib|\bdesign\b",
    re.IGNORECASE,
)


_REGULATORY = re.compile(
    r"\b(?:regulatory|regulator|approval|approved|designation|label|prescribing)\b",
    re.IGNORECASE,
)
_STATISTICS = ("HR",)
"""Endpoints that are statistics of another ('DFS hazard ratio' asks for an HR)."""


@dataclass(frozen=True)
class Question:
    """What a question asks and the qualifiers its answer must hold."""

    text: str
    entities: Tags = field(default_factory=Tags)
    names: tuple[str, ...] = ()
    """Acronyms and code names the vocabulary does not know (KAPKEY, SAINT)."""
    soft_names: tuple[str, ...] = ()
    """Capitalised words it does not know (Livingston): they count in favour."""
    endpoints: frozenset[str] = frozenset()
    median: bool = False
    timepoints: tuple[TimePoint, ...] = ()
    arm: str | None = None
    """'mono', 'combo' or 'control' when the question names an arm."""
    populations: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    years: frozenset[str] = frozenset()
    wants_number: bool = False
    value: str | None = None
    """The kind of value asked for: 'ci', 'duration', 'count', 'percent',
    'number', or None when the answer is not a number."""
    endpoint: str | None = None
    """The endpoint the question is about: the first it names."""
    labels: tuple[str, ...] = ()
    """The endpoints it names, written out."""
    phases: frozenset[str] = frozenset()
    anchors: frozenset[str] = frozenset()
    """Numbers it quotes ('all 52 cohort 1 patients'): its answer states them."""
    content: tuple[str, ...] = ()
    """Stemmed words of what it asks about, beside its entities and endpoints."""
    count: str | None = None
    """What 'how many' counts ('patients', 'responses')."""
    analyses: frozenset[str] = frozenset()
    """Which analysis it asks about ('interim', 'final')."""
    asks_subtype: bool = False
    """It asks which subtype or histology: the answer names one."""
    modifiers: tuple[str, ...] = ()
    """Words narrowing a subtype ('endemic', 'uterine'): the answer names them."""
    regulatory: bool = False
    """It asks about a regulator's review, approval or designation."""
    asks_design: bool = False
    """It asks about the design (primary endpoint, eligibility), not a result."""
    asks: str | None = None
    """'reason' (why ...) or 'population' (which patients ...), else None."""

    def describe(self) -> str:
        """Return the qualifiers in a few words, e.g. 'SARC028, UPS, ORR'."""
        parts = [
            *self.entities.trials,
            *self.entities.nct_ids,
            *self.names,
            *self.entities.agents,
            *self.entities.subtypes,
            *sorted(self.populations),
        ]
        if not self.entities.agents:
            parts += list(self.entities.agent_classes)
        return ", ".join(dict.fromkeys(parts))

    def endpoint_label(self) -> str:
        """Return the endpoint asked about in words ('' when none is named)."""
        head = self.labels[0] if self.labels else ""
        time = " or ".join(t.label for t in self.timepoints)
        if self.median and head and self.value == "duration":
            head = f"median {head}"
        return f"{time} {head}".strip() if time and head else head


def _value(
    low: str, endpoint: str | None, timepoints: bool, vocabulary: Vocabulary
) -> str | None:
    """Return the kind of value a question asks for (see ``Question.value``).

    An endpoint recorded only as a percentage (ORR) asks for one; one recorded
    only in months (duration of response) asks for a duration.
    """
    if asks_nct(low):
        return "nct"
    if low.startswith("why") or (
        re.match(r"(?:which|who)\b", low) and not asks_dose(low)
    ):
        return None  # "Which biomarker predicted PFS?" asks for a name
    low = re.sub(r"(?<=\w)-doses?\b", "", low)  # 'high-dose IL-2' asks no dose
    if not _QUANTITY.search(low):
        return None
    units = set(vocabulary.endpoint_values(endpoint)) if endpoint else set()
    if "confidence interval" in low or re.search(r"\bci\b", low):
        return "ci"
    if re.search(r"\bhow many\b|\bnumber of\b", low):
        return "count"
    if asks_dose(low):
        return "dose"
    if timepoints or _SHARE.search(low) or ("%" in units and "months" not in units):
        return "percent"
    if "median" in low or "how long" in low or units == {"months"}:
        return "duration"
    return "number"


def _content(question: str, entities: Tags, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Return the stemmed words of what a question asks about (see ``content``)."""
    surface = set()
    for kind, values in (
        ("trial", entities.trials),
        ("agent", entities.agents),
        ("subtype", entities.subtypes),
        ("class", entities.agent_classes),
    ):
        for value in values:
            for name in vocabulary.names_of(kind, value):
                surface.update(tokenize(name, vocabulary))
    for nct in entities.nct_ids:
        surface.update(tokenize(nct, vocabulary))
    terms = {t for term in vocabulary.endpoint_terms() for t in term.split()}
    for pattern in SOURCE_PATTERNS.values():
        question = pattern.sub(" ", question)
    words = [
        t
        for t in tokenize(question, vocabulary)
        if t not in surface
        and t not in terms
        and t not in _question_words()
        and not t[0].isdigit()
        and len(t) > 2
    ]
    return tuple(dict.fromkeys(words))


def parse_question(question: str, vocabulary: Vocabulary) -> Question:
    """Read the qualifiers of ``question`` (see the module docstring)."""
    entities = entities_in(question, vocabulary)
    if entities.agents:
        entities = entities.model_copy(update={"agent_classes": ()})
    low = question.lower()
    arm = None
    if MONO.search(low):
        arm = "mono"
    elif CONTROL.search(low):
        arm = "control"
    elif COMBO.search(low) and len(entities.agents) > 1:
        arm = "combo"
    endpoints = endpoints_in(question, vocabulary)
    endpoint = next((e for e in _STATISTICS if e in endpoints), None)
    endpoint = endpoint or first_endpoint(question, vocabulary)
    timepoints = timepoints_in(question)
    value = _value(low, endpoint, bool(timepoints), vocabulary)
    names, soft_names = names_in(question, entities, vocabulary)
    time_numbers = {f"{t.label.split('-')[0]}" for t in timepoints}
    years = frozenset(YEAR.findall(question))
    anchors = {
        n
        for n in _ANCHOR.findall(strip_names(question, (*names, *entities.nct_ids)))
        if n not in time_numbers and n not in years
    }
    return Question(
        text=question,
        entities=entities,
        names=names,
        soft_names=soft_names,
        endpoints=endpoints,
        labels=tuple(endpoint_label(e, vocabulary) for e in [endpoint] if e),
        median="median" in low,
        timepoints=timepoints,
        arm=arm,
        populations=frozenset(
            name for name, pattern in POPULATIONS.items() if pattern.search(question)
        ),
        sources=frozenset(n for n, p in SOURCE_PATTERNS.items() if p.search(low)),
        years=years,
        wants_number=value is not None,
        value=value,
        endpoint=endpoint,
        phases=phases_in(question),
        anchors=frozenset(anchors),
        content=_content(
            strip_names(question, (*names, *plain_names(soft_names))),
            entities,
            vocabulary,
        ),
        count=count_noun(question) if value == "count" else None,
        analyses=frozenset(n for n, p in ANALYSES.items() if p.search(question)),
        asks_subtype=bool(ASKS_SUBTYPE.search(question)),
        asks="reason"
        if ASKS_REASON.search(question)
        else "population"
        if ASKS_POPULATION.search(question)
        else None,
        asks_design=bool(_DESIGN_QUESTION.search(question)),
        regulatory=bool(_REGULATORY.search(question)),
        modifiers=tuple(
            word
            for word in modifiers(
                question, [(m.start, m.end) for m in vocabulary.find_subtypes(question)]
            )
            if set(tokenize(word)) - _question_words()
        ),
    )


def strip_names(text: str, names: tuple[str, ...]) -> str:
    """Return ``text`` without the names given (their digits are no anchors)."""
    for name in names:
        text = text.replace(name, " ")
    return re.sub(
        r"\b(?:phase|grade|cohort|arm|group|part)\s+\S+", " ", text, flags=re.I
    )
