"""Qualifiers other than entities and endpoints: sources, populations, arms, phases.

Each is read the same way from a question and from the text of a passage, so the
two can be compared: "in the FDA review" and a document whose masthead names
the FDA; "phase II" and "a phase 2 trial"; "bone sarcoma cohort" and "For bone
sarcoma, ...".
"""

from __future__ import annotations

import re

# Regulators, meetings and journals: a question that names one asks about a
# document from that source.
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
SOURCE_PATTERNS = {
    name: re.compile(
        r"\b(?:" + "|".join(re.escape(a) for a in aliases) + r")\b", re.IGNORECASE
    )
    for name, aliases in SOURCES.items()
}
REGULATORS = frozenset({"FDA", "EMA"})
MEETINGS = frozenset({"ASCO", "ESMO", "CTOS", "SITC", "AACR"})
YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")

MONO = re.compile(
    r"\b(?:alone|monotherapy|single[- ]agent|on (?:its|their) own|by itself)\b",
    re.IGNORECASE,
)
COMBO = re.compile(
    r"\b(?:plus|combined|combination|with and without|added to)\b|\+", re.IGNORECASE
)
CONTROL = re.compile(
    r"\b(?:control (?:group|arm)|without|placebo|radiotherapy alone)\b",
    re.IGNORECASE,
)

# Populations that split a trial into cohorts without being a subtype.
POPULATIONS: dict[str, re.Pattern[str]] = {
    "bone": re.compile(r"\bbone\b", re.IGNORECASE),
    "soft tissue": re.compile(r"\bsoft[- ]tissue\b|\bSTS\b", re.IGNORECASE),
    "expansion": re.compile(r"\bexpansion\b", re.IGNORECASE),
    "paediatric": re.compile(
        r"\bp(?:a)?ediatric\b|\bchildren\b|\badolescents?\b", re.IGNORECASE
    ),
    "adult": re.compile(r"\badults?\b", re.IGNORECASE),
}
# A children's dose or result is never the adults' (the reverse is often just
# how a trial of adults describes itself, so it is not checked).
RIVALS = {"bone": "soft tissue", "soft tissue": "bone", "paediatric": "adult"}
# Which analysis of a trial a report is: "the interim analysis", "final results".
ANALYSES: dict[str, re.Pattern[str]] = {
    "interim": re.compile(r"\binterim\b", re.IGNORECASE),
    "primary analysis": re.compile(r"\bprimary analysis\b", re.IGNORECASE),
    "final": re.compile(r"\bfinal (?:results?|analysis|report|data)\b", re.I),
    "update": re.compile(r"\bupdated?\b", re.IGNORECASE),
}
ASKS_SUBTYPE = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(?:subtypes?|histolog(?:y|ies)|sarcomas?|"
    r"tumou?r types?|diagnos[ie]s)\b",
    re.IGNORECASE,
)
# What kind of answer a question wants besides a number or a subtype: a reason
# ("Why was the dose lowered?", "What limits IL-2?") or a population ("Which
# patients did the trial enrol?"), and the words that give one.
ASKS_REASON = re.compile(r"^\s*why\b|^\s*what (?:limits?|limited)\b", re.IGNORECASE)
REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result|on account of|limited by|"
    r"so that|therefore|given (?:the|its)|in view of)\b",
    re.IGNORECASE,
)
ASKS_POPULATION = re.compile(
    r"^\s*(?:which|what) (?:patients|participants|population|people)\b"
    r"|\bwho (?:was|were) (?:enrolled|eligible|treated|included)\b",
    re.IGNORECASE,
)
POPULATION = re.compile(
    r"\b(?:patients|adults|children|participants|people|women|men)\s+"
    r"(?:\w+\s+){0,2}?(?:with|who|whose|aged|that|after)\b|\beligib",
    re.IGNORECASE,
)
# Words before a subtype that describe the disease, not a population of it.
_GENERIC = frozenset(
    [
        "advanced",
        "metastatic",
        "unresectable",
        "refractory",
        "recurrent",
        "relapsed",
        "inoperable",
        "locally",
        "previously",
        "treated",
        "pretreated",
        "untreated",
        "adult",
        "adults",
        "patients",
        "with",
        "in",
        "of",
        "and",
        "or",
        "the",
        "a",
        "an",
        "for",
        "all",
        "other",
        "selected",
        "several",
    ]
)


def modifiers(question: str, spans: list[tuple[int, int]]) -> tuple[str, ...]:
    """Return the words that narrow a subtype: its answer must name them too.

    'endemic' Kaposi sarcoma, 'uterine' leiomyosarcoma, 'HIV-associated'.
    """
    found = []
    for start, _ in spans:
        before = re.search(r"([A-Za-z][\w-]*)\s+$", question[:start])
        if before is None:
            continue
        word = before.group(1)
        if word.lower() not in _GENERIC and (word.islower() or "-" in word):
            found.append(word.lower())
    return tuple(dict.fromkeys(found))


def mono_agents(text: str, agents: list[tuple[int, int, str]]) -> frozenset[str]:
    """Return the agents ``text`` gives alone, from their (start, end, agent).

    'nivolumab alone', 'the nivolumab arm', 'single-agent nivolumab'.
    """
    alone = re.compile(
        r"\s*(?:\([^)]*\)\s*)?(?:alone|monotherapy|group|arm|given alone|"
        r"on its own)\b",
        re.IGNORECASE,
    )
    before = re.compile(r"(?:single[- ]agent|monotherapy with)\s*$", re.IGNORECASE)
    partner = re.compile(r"(?:plus|\+|with|and|combined with)\s*$", re.IGNORECASE)
    return frozenset(
        agent
        for start, end, agent in agents
        if not partner.search(text[max(0, start - 16) : start])
        and (alone.match(text, end) or before.search(text[max(0, start - 20) : start]))
    )


def is_mixed(title: str, broad: bool) -> bool:
    """Return True when a title speaks of sarcomas in general beside any subtype.

    "... in advanced sarcomas including alveolar soft-part sarcoma": the trial
    enrolled several histologies, so its overall results are not the ASPS ones.
    """
    return broad or bool(
        re.search(r"\bsarcomas\b|\bother\b|\bincluding\b", title, re.IGNORECASE)
    )


"""Populations that exclude each other: a bone cohort is not a soft-tissue one."""

_PHASE = re.compile(
    r"\bphase\s*(I{1,3}|[123])\s*[ab]?(?:\s*(?:/|-|and|to)\s*(I{1,3}|[123])\s*[ab]?)?"
    r"(?![\w/])",
    re.IGNORECASE,
)
_ROMAN = {"1": "I", "2": "II", "3": "III"}


def phases_in(text: str) -> frozenset[str]:
    """Return the trial phases ``text`` names ('phase 1/2' -> 'I/II', 'Ib' -> 'I')."""
    found = set()
    for match in _PHASE.finditer(text):
        parts = [p.upper() for p in match.groups() if p]
        found.add("/".join(_ROMAN.get(p, p) for p in parts))
    return frozenset(found)


DOSE = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:mg|µg|mcg|g|Gy|x\s*10\^?\d+|IU|units?)\b(?:\s*/\s*\w+)?"
    r"|\b(?:once|twice|three times) (?:daily|a day|weekly)\b",
    re.IGNORECASE,
)
_ASKS_DOSE = re.compile(
    r"(?<![\w-])(?:doses?|dosing|schedule|regimen|infused)\b(?!\s+(?:reductions?|"
    r"interruptions?|escalation|delays?|modifications?|limiting|levels?))",
    re.IGNORECASE,
)
NCT_ID = re.compile(r"\bNCT\s?\d{8}\b", re.IGNORECASE)
_ASKS_NCT = re.compile(
    r"\b(?:nct|registration|clinicaltrials\.gov|identifier|registry) (?:number|id)"
    r"|\bregistration number\b|\bnct number\b|\bclinicaltrials\.gov number\b",
    re.IGNORECASE,
)
_COUNT_NOUN = re.compile(
    r"\bhow many\s+((?:[\w/-]+\s+){0,3}?)"
    r"(patients|pts|participants|people|women|men|adults|children|subjects|sites|"
    r"centres|centers|responders|responses|deaths|events|cycles|doses|cohorts|"
    r"arms|trials|studies)\b",
    re.IGNORECASE,
)
_PEOPLE = (
    r"(?:patients|pts|participants|people|women|men|adults|children|subjects|"
    r"individuals|persons|cases)"
)
_NONE = re.compile(r"\b(?:no|none|zero|not a single|nobody)\b", re.IGNORECASE)


def asks_dose(question: str) -> bool:
    """Return True when the question asks for a dose or a schedule."""
    return bool(_ASKS_DOSE.search(question))


def asks_nct(question: str) -> bool:
    """Return True when the question asks for a registration number."""
    return bool(_ASKS_NCT.search(question))


def count_noun(question: str) -> str | None:
    """Return what 'how many' counts ('How many MRCLS patients ...' -> 'patients')."""
    match = _COUNT_NOUN.search(question)
    return match.group(2).lower() if match else None


def counts(text: str, noun: str) -> bool:
    """Return True when ``text`` counts ``noun``: '45 patients', 'n = 79', 'none'.

    People may be counted by any word for people, and responses by 'CR'/'PR'.
    """
    if noun in {"patients", "pts", "participants", "people", "women", "men"}:
        pattern = _PEOPLE
    elif noun in {"responses", "responders"}:
        pattern = r"(?:responses?|responders?|responded|CRs?|PRs?)"
    else:
        pattern = re.escape(noun.rstrip("s")) + r"s?"
    number = r"(?:\d+(?:\.\d+)?|no|none|all)"
    near = (
        rf"\b{number}\s+(?:[\w()%,-]+\s+){{0,4}}?{pattern}\b"
        rf"|\b{pattern}\s*\(?n\s*=\s*\d+|\bn\s*=\s*\d+"
        rf"|\b{pattern}\s+(?:was|were|numbered|totalled|totaled)\s+\d+"
    )
    if re.search(near, text, re.IGNORECASE):
        return True
    # "the ORR was 20.9% (9/43)": responders counted by a fraction, or none.
    return noun in {"responses", "responders"} and bool(
        _NONE.search(text) or re.search(r"\b\d+\s*(?:/|of)\s*\d+\b", text)
    )
