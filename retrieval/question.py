"""Question understanding: the qualifiers a question names, which its answer must hold.

A question names entities (trial, NCT id, agent or class, subtype), an endpoint
(ORR, median PFS ...), a time point ("12-week", "at 24 weeks"), an arm ("alone",
"plus ipilimumab"), a population ("bone sarcoma cohort") and a source ("in the FDA
review", "at ASCO 2019"). :func:`parse_question` reads them once; the passages and
sentences of an answer are then checked against them
(:mod:`sarcolit.retrieval.evidence`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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

# Words that, capitalised in a question, are not names of a trial or a study:
# sentence openers, question words, abbreviations of endpoints and units.
_NOT_NAMES = frozenset(
    [
        "a",
        "an",
        "the",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "when",
        "where",
        "why",
        "did",
        "does",
        "do",
        "was",
        "were",
        "is",
        "are",
        "in",
        "on",
        "at",
        "of",
        "for",
        "per",
        "with",
        "and",
        "or",
        "to",
        "by",
        "from",
        "according",
        "after",
        "before",
        "during",
        "among",
        "between",
        "versus",
        "vs",
        "than",
        "as",
        "ci",
        "hr",
        "orr",
        "pfs",
        "os",
        "dcr",
        "cbr",
        "dor",
        "cr",
        "pr",
        "sd",
        "pd",
        "dfs",
        "efs",
        "rfs",
        "ae",
        "aes",
        "trae",
        "traes",
        "teae",
        "irae",
        "recist",
        "mg",
        "kg",
        "gy",
        "pet",
        "ct",
        "pet/ct",
        "alt",
        "ast",
        "ldh",
        "us",
        "usa",
        "uk",
        "nci",
        "nih",
        "phase",
        "cohort",
        "arm",
        "trial",
        "study",
        "grade",
        "median",
        "overall",
        "survival",
    ]
)
_NAME = re.compile(r"(?<![\w-])([A-Za-z][\w/.]*[A-Z0-9][\w-]*|[A-Z][A-Za-z]*[-][\w-]+)")
_CAPITAL_WORD = re.compile(r"(?<![\w-])([A-Z][a-z]{2,})(?![\w-])")

# Regulators and meetings: a question that names one asks about that source.
SOURCES: dict[str, tuple[str, ...]] = {
    "FDA": ("fda", "food and drug administration"),
    "EMA": ("ema", "european medicines agency", "chmp"),
    "ASCO": ("asco", "american society of clinical oncology"),
    "ESMO": ("esmo",),
    "CTOS": ("ctos", "connective tissue oncology society"),
    "SITC": ("sitc", "society for immunotherapy of cancer"),
    "AACR": ("aacr",),
    "Lancet": ("lancet",),
    "NEJM": ("nejm", "new england journal", "n engl j med"),
    "JAMA": ("jama",),
    "Clin Cancer Res": ("clin cancer res", "clinical cancer research", "ccr"),
    "Ann Oncol": ("ann oncol", "annals of oncology"),
    "Nat Commun": ("nat commun", "nature communications"),
    "JITC": ("jitc", "j immunother cancer", "journal for immunotherapy of cancer"),
    "Cancers": ("cancers",),
}
_SOURCE_PATTERNS = {
    name: re.compile(
        r"\b(?:" + "|".join(re.escape(a) for a in aliases) + r")\b", re.IGNORECASE
    )
    for name, aliases in SOURCES.items()
}
REGULATORS = frozenset({"FDA", "EMA"})
MEETINGS = frozenset({"ASCO", "ESMO", "CTOS", "SITC", "AACR"})
_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
_MONO = re.compile(
    r"\b(?:alone|monotherapy|single[- ]agent|on (?:its|their) own|by itself)\b"
)
_COMBO = re.compile(r"\b(?:plus|combined|combination|with and without|added to)\b|\+")
_CONTROL = re.compile(
    r"\b(?:control (?:group|arm)|without|placebo|radiotherapy alone)\b"
)
# Populations that split a trial into cohorts without being a subtype.
POPULATIONS: dict[str, re.Pattern[str]] = {
    "bone": re.compile(r"\bbone\b"),
    "soft tissue": re.compile(r"\bsoft[- ]tissue\b|\bSTS\b"),
    "expansion": re.compile(r"\bexpansion\b"),
    "paediatric": re.compile(r"\bp(?:a)?ediatric\b|\bchildren\b"),
}
_SHARE = re.compile(
    r"\b(?:how often|what share|what proportion|percentage|percent|share of|"
    r"proportion of|rates?)\b"
)
_QUANTITY = re.compile(
    r"\b(?:how (?:many|much|often|long)|what (?:share|proportion|percentage|rate)|"
    r"rates?|ratio|median|percent|proportion|share|number|orr|pfs|os|dcr|dor|"
    r"response rate|survival|dose|follow-up|interval)\b"
)


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
        labels = list(self.labels)
        time = " or ".join(t.label for t in self.timepoints)
        head = " and ".join(labels)
        if self.median and head:
            head = f"median {head}"
        return f"{time} {head}".strip() if time and head else head


def _is_name(word: str, question: str, entities: Tags, vocabulary: Vocabulary) -> bool:
    """Return True when ``word`` is a name no vocabulary entry covers."""
    low = word.lower()
    sources = {a for aliases in SOURCES.values() for a in aliases}
    if len(word) < 3 or low in _NOT_NAMES or low in sources or _YEAR.fullmatch(word):
        return False
    if any(low in v.lower() for v in (*entities.trials, *entities.nct_ids)):
        return False
    if entities_in(word, vocabulary) != Tags() or endpoints_in(word, vocabulary):
        return False
    # A word of an entity's name ("Ewing" in "Ewing sarcoma") is not a name.
    rest = entities_in(question.replace(word, " "), vocabulary)
    return all(
        getattr(rest, f) == getattr(entities, f)
        for f in ("trials", "nct_ids", "agents", "subtypes")
    )


def _names(
    question: str, entities: Tags, vocabulary: Vocabulary
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the acronyms and the capitalised words no vocabulary entry covers.

    Acronyms and code names (KAPKEY, SAINT, IGNYTE-ESO) must hold for an answer;
    capitalised words (Livingston, Alliance) only count in its favour.
    """
    text = question
    for pattern in _SOURCE_PATTERNS.values():  # "Clinical Cancer Research" is a source
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    acronyms = [m.group(1).strip(".-/") for m in _NAME.finditer(text)]
    words = [m.group(1) for m in _CAPITAL_WORD.finditer(text) if m.start() > 0]
    hard = [
        w
        for w in dict.fromkeys(acronyms)
        if _is_name(w, question, entities, vocabulary)
    ]
    soft = [
        w
        for w in dict.fromkeys(words)
        if w not in hard and _is_name(w, question, entities, vocabulary)
    ]
    return tuple(hard), tuple(soft)


def _value(
    low: str, endpoint: str | None, timepoints: bool, vocabulary: Vocabulary
) -> str | None:
    """Return the kind of value a question asks for (see ``Question.value``).

    An endpoint recorded only as a percentage (ORR) asks for one; one recorded
    only in months (duration of response) asks for a duration.
    """
    if not _QUANTITY.search(low):
        return None
    units = set(vocabulary.endpoint_values(endpoint)) if endpoint else set()
    if "confidence interval" in low or re.search(r"\bci\b", low):
        return "ci"
    if re.search(r"\bhow many\b|\bnumber of\b", low):
        return "count"
    if timepoints or _SHARE.search(low) or ("%" in units and "months" not in units):
        return "percent"
    if "median" in low or "how long" in low or units == {"months"}:
        return "duration"
    return "number"


def parse_question(question: str, vocabulary: Vocabulary) -> Question:
    """Read the qualifiers of ``question`` (see the module docstring)."""
    entities = entities_in(question, vocabulary)
    if entities.agents:
        entities = entities.model_copy(update={"agent_classes": ()})
    low = question.lower()
    arm = None
    if _MONO.search(low):
        arm = "mono"
    elif _CONTROL.search(low):
        arm = "control"
    elif _COMBO.search(low) and len(entities.agents) > 1:
        arm = "combo"
    sources = frozenset(n for n, p in _SOURCE_PATTERNS.items() if p.search(low))
    endpoint = first_endpoint(question, vocabulary)
    endpoints = endpoints_in(question, vocabulary)
    timepoints = timepoints_in(question)
    value = _value(low, endpoint, bool(timepoints), vocabulary)
    names, soft_names = _names(question, entities, vocabulary)
    return Question(
        text=question,
        entities=entities,
        names=names,
        soft_names=soft_names,
        endpoints=endpoints,
        labels=tuple(endpoint_label(e, vocabulary) for e in sorted(endpoints)),
        median="median" in low,
        timepoints=timepoints,
        arm=arm,
        populations=frozenset(
            name for name, pattern in POPULATIONS.items() if pattern.search(question)
        ),
        sources=sources,
        years=frozenset(_YEAR.findall(question)),
        wants_number=value is not None,
        value=value,
        endpoint=endpoint,
    )
