"""Lexicons of agents, subtypes, targets and trial names, found with their offsets.

``sarcolit.ingest.tags`` answers *which* entities a passage names; extraction also needs
*where* each mention is, to bind values to the nearest trial, arm or cohort, so
the mention finders here return spans.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from sarcolit.core.models import AgentClass

# canonical name -> (agent class, synonyms); matching is case-insensitive.
AGENTS: dict[str, tuple[AgentClass, tuple[str, ...]]] = {
    "pembrolizumab": ("anti-PD-1", ("keytruda", "MK-3475")),
    "nivolumab": ("anti-PD-1", ("opdivo",)),
    "toripalimab": ("anti-PD-1", ()),
    "camrelizumab": ("anti-PD-1", ("SHR-1210",)),
    "sintilimab": ("anti-PD-1", ()),
    "tislelizumab": ("anti-PD-1", ()),
    "atezolizumab": ("anti-PD-L1", ("tecentriq",)),
    "durvalumab": ("anti-PD-L1", ()),
    "avelumab": ("anti-PD-L1", ()),
    "benmelstobart": ("anti-PD-L1", ("TQB2450",)),
    "ipilimumab": ("anti-CTLA-4", ("yervoy",)),
    "tremelimumab": ("anti-CTLA-4", ("imjudo",)),
    "doxorubicin": ("chemotherapy", ("adriamycin",)),
    "ifosfamide": ("chemotherapy", ()),
    "trabectedin": ("chemotherapy", ()),
    "eribulin": ("chemotherapy", ()),
    "cyclophosphamide": ("chemotherapy", ()),
    "gemcitabine": ("chemotherapy", ()),
    "docetaxel": ("chemotherapy", ()),
    "paclitaxel": ("chemotherapy", ()),
    "axitinib": ("TKI/anti-angiogenic", ()),
    "pazopanib": ("TKI/anti-angiogenic", ()),
    "sunitinib": ("TKI/anti-angiogenic", ()),
    "anlotinib": ("TKI/anti-angiogenic", ()),
    "apatinib": ("TKI/anti-angiogenic", ()),
    "lenvatinib": ("TKI/anti-angiogenic", ()),
    "regorafenib": ("TKI/anti-angiogenic", ()),
    "cabozantinib": ("TKI/anti-angiogenic", ()),
    "epacadostat": ("IDO inhibitor", ()),
    "letetresgene autoleucel": ("TCR-T", ("lete-cel",)),
    "afamitresgene autoleucel": ("TCR-T", ("afami-cel",)),
    "talimogene laherparepvec": ("oncolytic virus", ("T-VEC",)),
    "pexastimogene devacirepvec": ("oncolytic virus", ("JX-594", "Pexa-Vec")),
    "OH2": ("oncolytic virus", ()),
    "LTX-315": ("other", ()),
    "CMB305": ("vaccine", ()),
    "interleukin-2": ("cytokine", ("IL-2", "aldesleukin")),
    "bempegaldesleukin": ("cytokine", ("NKTR-214", "bempeg")),
    "interleukin-12": ("cytokine", ("IL-12",)),
    "interferon alfa": ("cytokine", ("IFN\u03b1", "IFN-\u03b1", "interferon-alpha")),
    "enoblituzumab": ("other", ("MGA271",)),
    "vobramitamab duocarmazine": ("other", ("MGC018",)),
    "B7-H3 CAR-T": ("CAR-T", ("B7-H3 CAR-T cells", "B7-H3 CAR T")),
    "HER2 CAR-T": ("CAR-T", ("HER2 CAR-T cells", "HER2 CAR T")),
    "GD2 CAR-T": ("CAR-T", ("GD2 CAR-T cells", "GD2 CAR T")),
}

# Mentions of a class without a named agent ("PD-1 inhibitors", "TCR-T therapy").
CLASS_TERMS: dict[str, AgentClass] = {
    r"(?:anti-)?PD-?1/PD-L1(?: inhibitors?| therapy| blockade)?": "other",
    r"anti-PD-?1(?:/PD-L1)?|PD-1 (?:inhibitors?|blockade)": "anti-PD-1",
    r"anti-PD-L1|PD-L1 (?:inhibitors?|antibod(?:y|ies))": "anti-PD-L1",
    r"CTLA-4 (?:inhibitors?|blockade)|anti-CTLA-4": "anti-CTLA-4",
    r"ICIs?|immune checkpoint inhibitors?": "other",
    r"anti-angiogenic (?:therapy|agents?|inhibitors?)|VEGF inhibitors?": (
        "TKI/anti-angiogenic"
    ),
    r"TCR-T(?: cells?| therapy)?": "TCR-T",
    r"CAR-T(?: cells?| therapy)?": "CAR-T",
    r"TIL therapy": "TIL",
    r"IDO(?:1)? inhibit(?:ion|or)": "IDO inhibitor",
    r"DC vaccin(?:e|ation)|peptide vaccines?": "vaccine",
}
CLASS_LABELS: dict[AgentClass, str] = {
    "anti-PD-1": "anti-PD-1",
    "anti-PD-L1": "anti-PD-L1",
    "anti-CTLA-4": "anti-CTLA-4",
    "other": "immune checkpoint inhibitor",
    "TKI/anti-angiogenic": "anti-angiogenic therapy",
    "TCR-T": "TCR-T therapy",
    "CAR-T": "CAR-T therapy",
    "TIL": "TIL therapy",
    "IDO inhibitor": "IDO inhibitor",
    "vaccine": "vaccine",
}

# canonical subtype -> case-insensitive names, case-sensitive abbreviations.
SUBTYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "UPS": (("undifferentiated pleomorphic sarcoma",), ("UPS",)),
    "DDLPS": (("dedifferentiated liposarcoma",), ("DDLPS",)),
    "MRCLS": (("myxoid round cell liposarcoma", "myxoid liposarcoma"), ("MRCLS",)),
    "liposarcoma": (("liposarcoma",), ("LPS",)),
    "ASPS": (("alveolar soft[- ]part sarcoma",), ("ASPS",)),
    "synovial sarcoma": (("synovial sarcoma",), ("SS",)),
    "leiomyosarcoma": (("leiomyosarcoma",), ("LMS",)),
    "osteosarcoma": (("osteosarcoma",), ()),
    "angiosarcoma": (("angiosarcoma",), ()),
    "Kaposi sarcoma": (("classical Kaposi sarcoma", "Kaposi sarcoma"), ("cKS", "KS")),
    "clear cell sarcoma": (("clear cell sarcoma",), ("CCS",)),
    "Ewing sarcoma": (("Ewing'?s sarcoma", "Ewing sarcoma"), ()),
    "chondrosarcoma": (("chondrosarcoma",), ()),
    "GIST": (("gastrointestinal stromal tumou?r",), ("GIST",)),
    "myxofibrosarcoma": (("myxofibrosarcoma",), ("MFS",)),
    "rhabdomyosarcoma": (("rhabdomyosarcoma",), ("RMS",)),
    "STS": (("soft[- ]tissue sarcoma",), ("STS",)),
    "bone sarcoma": (("bone sarcoma",), ()),
}

TARGETS = ("NY-ESO-1", "MAGE-A4", "B7-H3", "HER2", "GD2")
_HLA = re.compile(r"\bHLA-A\*?\d{2}(?::\d{2})?\b")
_NCT = re.compile(r"\bNCT\d{8}\b")
# Named trials; group 1 is the canonical part of the name.
_NAMES = re.compile(
    r"\b(?:Alliance\s+)?(A\d{6}|SARC\d{3}|KEYNOTE-\d+|CheckMate[- ]\d+|"
    r"SPEARHEAD-\d+|STRIvE-\d+|HEROS \d\.\d|ImmunoSarc)(?:-I{1,3}\b)?"
)
# Other names: a capitalised token with a digit right before 'trial'/'study'.
_NAMED_TRIAL = re.compile(
    r"\b([A-Z][A-Za-z]*[A-Z][A-Za-z]*-?\d+[A-Za-z0-9-]*)\s+(?:trial|study)\b"
)
# An acronym with two or more capitals that a text calls a trial or study
# ('the KAPKEY study', 'the PEMBROSARC phase 2 trial', 'IGNYTE-ESO substudy'),
# or that a title puts in brackets before its colon ('(SinAnloSarc): a ...').
_ACRONYM = r"[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
_CALLED_TRIAL = re.compile(
    rf"\b({_ACRONYM})\s+(?:(?:phase\s+[\dI]+|basket|pivotal|randomi[sz]ed)\s+)*"
    r"(?:trial|study|substudy)\b|"
    rf"\(({_ACRONYM})\)\s*:|^({_ACRONYM}):\s|\b(?:Study|Trial)\s+({_ACRONYM})\b",
    re.MULTILINE,
)
_NOT_TRIALS = frozenset(
    [
        "NCI",
        "SWOG",
        "FDA",
        "EMA",
        "ASCO",
        "ESMO",
        "CTOS",
        "SITC",
        "NCCN",
        "MD",
        "USA",
        "UK",
        "US",
        "TCR",
        "HLA",
        "ORR",
        "PFS",
        "OS",
        "DCR",
        "CR",
        "PR",
        "RECIST",
        "ECOG",
        "PD-1",
        "PD-L1",
        "CTLA-4",
        "CAR-T",
        "TCR-T",
        "TIL",
        "TILS",
        "AACR",
        "IRB",
        "CI",
        "II",
        "III",
        "IV",
        "IB",
    ]
)


@dataclass(frozen=True, slots=True)
class Mention:
    """A recognised entity: its span, canonical value and class (agents only)."""

    start: int
    end: int
    value: str
    agent_class: AgentClass | None = None
    kind: str = ""


def _alternation(terms: list[str]) -> str:
    return "|".join(sorted(terms, key=len, reverse=True))


def _agent_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    lookup: dict[str, str] = {}
    for name, (_, synonyms) in AGENTS.items():
        for term in (name, *synonyms):
            lookup[term.lower()] = name
    terms = [re.escape(t) for t in lookup]
    # 'IL-12 levels' is a measurement, not a treatment.
    measured = r"(?!\s+(?:levels?|expression|production|secretion|signal\w*|pathway))"
    pattern = rf"(?<![\w-])(?:{_alternation(terms)})(?![\w-]){measured}"
    return re.compile(pattern, re.I), lookup


_AGENT_RE, _AGENT_LOOKUP = _agent_pattern()
_CLASS_RES = [
    (re.compile(rf"(?<![\w-])(?:{p})(?![\w-])"), c) for p, c in CLASS_TERMS.items()
]


def _subtype_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns: list[tuple[re.Pattern[str], str]] = []
    for canonical, (names, abbreviations) in SUBTYPES.items():
        if names:
            joined = _alternation(list(names))
            patterns.append((re.compile(rf"\b(?:{joined})s?\b", re.I), canonical))
        if abbreviations:
            joined = _alternation([re.escape(a) for a in abbreviations])
            patterns.append(
                (re.compile(rf"(?<![\w-])(?:{joined})s?(?![\w-])"), canonical)
            )
    return patterns


_SUBTYPE_RES = _subtype_patterns()


_TARGET_RE = re.compile(
    rf"(?<![\w-])(?:{_alternation([re.escape(t) for t in TARGETS])})(?![\w-])"
)


def _drop_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions, then sort by position."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start - m.end, m.start)):
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def find_agents(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Return named agents in ``text[start:end]`` with canonical names and classes."""
    stop = len(text) if end is None else end
    if len(text) > _WHOLE_TEXT:
        return _within(_all_agents(text), start, stop)
    return _agents_in(text, start, stop)


def _all_agents(text: str) -> Index:
    return _indexed("agents", text, _agents_in)


def _agents_in(text: str, start: int, stop: int) -> list[Mention]:
    found = []
    for match in _AGENT_RE.finditer(text, start, stop):
        name = _AGENT_LOOKUP[match.group().lower()]
        found.append(Mention(match.start(), match.end(), name, AGENTS[name][0]))
    return _drop_overlaps(found)


def find_classes(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Return mentions of agent classes with no agent named ('PD-1 inhibitors')."""
    stop = len(text) if end is None else end
    found = []
    for pattern, agent_class in _CLASS_RES:
        for match in pattern.finditer(text, start, stop):
            label = CLASS_LABELS[agent_class]
            found.append(Mention(match.start(), match.end(), label, agent_class))
    return _drop_overlaps(found)


_DEFINED = re.compile(r"\s*\(([A-Z][A-Za-z]{1,7})\)")


def _defined_abbreviations(text: str) -> tuple[re.Pattern[str], dict[str, str]] | None:
    """Abbreviations a text defines for a subtype: 'synovial sarcoma (SyS)'.

    Cached per text (a document's text is read many times in one extraction).
    """
    defined: dict[str, str] = {}
    for pattern, canonical in _SUBTYPE_RES:
        for match in pattern.finditer(text):
            short = _DEFINED.match(text, match.end())
            if short and not any(p.fullmatch(short.group(1)) for p, _ in _SUBTYPE_RES):
                defined[short.group(1)] = canonical
    if not defined:
        return None
    names = _alternation([re.escape(a) for a in defined])
    return re.compile(rf"(?<![\w-])(?:{names})(?![\w-])"), defined


def find_subtypes(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Return sarcoma-subtype mentions with canonical names.

    Abbreviations the text defines ('synovial sarcoma (SyS)') count as well.
    """
    stop = len(text) if end is None else end
    if len(text) > _WHOLE_TEXT:
        return _within(_all_subtypes(text), start, stop)
    return _subtypes_in(text, start, stop)


_WHOLE_TEXT = 400
"""Longer texts (documents) are searched once and the mentions kept."""


def _subtypes_in(text: str, start: int, stop: int) -> list[Mention]:
    found = [
        Mention(m.start(), m.end(), canonical)
        for pattern, canonical in _SUBTYPE_RES
        for m in pattern.finditer(text, start, stop)
    ]
    defined = _defined_abbreviations(text) if len(text) > 200 else None
    if defined is not None:
        pattern, names = defined
        found += [
            Mention(m.start(), m.end(), names[m.group()])
            for m in pattern.finditer(text, start, stop)
        ]
    return _drop_overlaps(found)


Index = tuple[list[int], list[Mention]]
_INDEXES: dict[tuple[str, int], tuple[str, Index]] = {}


def _indexed(
    kind: str, text: str, find: Callable[[str, int, int], list[Mention]]
) -> Index:
    """Find every mention in a document's text once; later calls slice the result.

    Kept per text object (not per equal text), for the last few documents.
    """
    key = (kind, id(text))
    cached = _INDEXES.get(key)
    if cached is not None and cached[0] is text:
        return cached[1]
    found = find(text, 0, len(text))
    if len(_INDEXES) > 32:
        _INDEXES.clear()
    _INDEXES[key] = (text, ([m.start for m in found], found))
    return _INDEXES[key][1]


def _all_subtypes(text: str) -> Index:
    return _indexed("subtypes", text, _subtypes_in)


def _within(index: Index, start: int, stop: int) -> list[Mention]:
    starts, mentions = index
    first = bisect.bisect_left(starts, start)
    last = bisect.bisect_left(starts, stop)
    return [m for m in mentions[first:last] if m.end <= stop]


def find_targets(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Return antigen targets (NY-ESO-1, MAGE-A4, ...) and HLA restrictions."""
    stop = len(text) if end is None else end
    found = [
        Mention(m.start(), m.end(), m.group())
        for m in _TARGET_RE.finditer(text, start, stop)
    ]
    found += [
        Mention(
            m.start(), m.end(), m.group().replace("HLA-A02", "HLA-A*02"), kind="HLA"
        )
        for m in _HLA.finditer(text, start, stop)
    ]
    return _drop_overlaps(found)


def find_nct_ids(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Return NCT identifiers."""
    stop = len(text) if end is None else end
    return [
        Mention(m.start(), m.end(), m.group()) for m in _NCT.finditer(text, start, stop)
    ]


def find_trial_names(
    text: str, start: int = 0, end: int | None = None
) -> list[Mention]:
    """Return trial names and acronyms (SARC028, A091401, SPEARHEAD-1 ...)."""
    stop = len(text) if end is None else end
    found = [
        Mention(m.start(), m.end(), m.group(1))
        for m in _NAMES.finditer(text, start, stop)
    ]
    for match in _NAMED_TRIAL.finditer(text, start, stop):
        name = match.group(1)
        if name.lower() not in _AGENT_LOOKUP and not name.startswith("NCT"):
            found.append(Mention(match.start(1), match.end(1), name))
    for match in _CALLED_TRIAL.finditer(text, start, stop):
        group = next(i for i in (1, 2, 3, 4) if match.group(i))
        name = match.group(group)
        known = name.lower() in _AGENT_LOOKUP or name.upper() in _NOT_TRIALS
        if known or name.startswith("NCT") or find_subtypes(name):
            continue
        found.append(Mention(match.start(group), match.end(group), name))
    return _drop_overlaps(found)
