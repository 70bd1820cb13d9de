"""What a question across trials asks: its kind, its regimens, subtypes and topics.

:func:`understand` reads a question and returns a :class:`SynthesisQuery` when
it asks across trials (a list, a drug class, a subtype, a comparison, a yes/no
evidence question), or None for a single-fact question, which the extractive
answerer handles. Class names expand to their agents through the lexicon:
"PD-1 inhibitor" covers pembrolizumab, nivolumab, toripalimab and the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sarcolit.ingest.lexicon import AGENTS, SUBTYPES
from sarcolit.ingest.tags import canonical_agent, canonical_subtype, fold, tag_text

Kind = Literal["list", "class", "subtype", "comparison", "yesno", "summary"]
Topic = Literal[
    "enrolment",
    "response",
    "pfs",
    "os",
    "dcr",
    "dor",
    "dfs",
    "pathologic",
    "toxicity",
    "approval",
    "biomarker",
    "target",
]
RESULTS: tuple[Topic, ...] = (
    "response",
    "pfs",
    "os",
    "dcr",
    "dor",
    "dfs",
    "pathologic",
)
"""What 'results', 'activity' or 'evidence' stands for."""

CHECKPOINT = frozenset({"anti-PD-1", "anti-PD-L1", "anti-CTLA-4", "anti-LAG-3"})
_NOT_IMMUNOTHERAPY = frozenset({"chemotherapy", "TKI", "EZH2 inhibitor"})
# Class phrases the lexicon lacks (umbrella classes, 'PD-1 or PD-L1'). The
# vocabulary issue brings a class hierarchy; until then they are read here.
_UMBRELLAS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = tuple(
    (re.compile(pattern), classes)
    for pattern, classes in (
        (r"pd-?1 or pd-?l1|pd-?1/pd-?l1", frozenset({"anti-PD-1", "anti-PD-L1"})),
        (r"(?:immune )?checkpoint (?:inhibitor|blockade|antibod|agent)\w*", CHECKPOINT),
        (r"\bicis?\b", CHECKPOINT),
        (
            r"(?:engineered |adoptive )?(?:t[- ]cell|cell|cellular) therap\w*",
            frozenset({"TCR-T", "CAR-T", "TIL"}),
        ),
        (r"vegfr?(?: receptor)?[- ]?(?:tki|tyrosine|inhibitor)\w*", frozenset({"TKI"})),
        (r"anti-?angiogenic", frozenset({"TKI"})),
        (r"\bpd-?l1 (?:antibod|inhibitor|blockade)\w*", frozenset({"anti-PD-L1"})),
        # "PD-1 and CTLA-4 blockade": a target sharing the next target's noun.
        (r"\bpd-?l1(?=\s*(?:and|or|plus|/|\+)\s)", frozenset({"anti-PD-L1"})),
        (r"\bpd-?1(?=\s*(?:and|or|plus|/|\+)\s)", frozenset({"anti-PD-1"})),
        (r"\bpd-?1 (?:antibod|inhibitor|blockade)\w*", frozenset({"anti-PD-1"})),
        (
            r"\bctla-?4\b(?: (?:antibod|inhibitor|blockade)\w*)?",
            frozenset({"anti-CTLA-4"}),
        ),
        (r"\boncolytic\w*(?: virus\w*)?", frozenset({"oncolytic virus"})),
        (r"\bchemo\w*|cytotoxic", frozenset({"chemotherapy"})),
        (r"tyrosine kinase inhibitor\w*|\btkis?\b", frozenset({"TKI"})),
        (r"\bvaccin\w*", frozenset({"vaccine"})),
        (r"\bcytokine\w*(?! release)", frozenset({"cytokine"})),
        (r"\bido1? (?:inhibit\w*)", frozenset({"IDO inhibitor"})),
        (r"\btcr-?t\b|\btcr\b", frozenset({"TCR-T"})),
        (r"\bcar-?t\b|chimeric antigen", frozenset({"CAR-T"})),
        (r"\bimmunotherap\w*", frozenset({"*"})),
    )
)

_COMPARE = re.compile(
    r"^\s*(?:please\s+)?compare\b"
    r"|^\s*(?:in [^,]+, )?how (?:do|does|did|is|are|was|were)\b"
    r".*\b(?:compare|differ)\w*"
    r"|^\s*what (?:is|are|were) the differences?\b",
    re.IGNORECASE,
)
_OF_ONE_REGIMEN = re.compile(
    r"\b(?:studies|trials|reports|analyses|cuts|reviews?|papers|abstracts)\b of\b"
    r"|\bthe two\b"
)
_LIST = re.compile(
    r"\b(?:which|what) (?:\w+ ){0,3}(?:trials|studies|regimens|combinations|agents"
    r"|therapies|treatments|immunotherapies|approvals|designations)\b"
    r"|^\s*(?:please\s+)?list\b",
    re.IGNORECASE,
)
_YESNO = re.compile(
    r"^\s*(?:is|are|does|do|did|has|have|can|could)\b.*\b(?:evidence|work\w*|help\w*"
    r"|effective|benefit\w*|active|activity|improve\w*|reliable|shown|rescue|make)\b",
    re.IGNORECASE,
)
_SUMMARY = re.compile(
    r"\b(?:have|has)\b(?:\s+[\w-]+){0,6}?\s+(?:shown|produced|achieved|reported"
    r"|given|tried|been|demonstrated|responded|found)\b"
    r"|^\s*what (?:results|activity|data|evidence|outcomes|is known)\b"
    r"|^\s*what do\b.*\bshow\b",
    re.IGNORECASE,
)
# Subtype families the lexicon lacks (the vocabulary issue adds parents).
_FAMILIES: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (re.compile(r"\bbone sarcomas?\b", re.IGNORECASE), frozenset({"OS", "ES", "CHS"})),
)
_EXCEPT = re.compile(
    r"\b(?:other than|except(?: for)?|besides|apart from|excluding)\s+([\w -]+)",
    re.IGNORECASE,
)
# Biomarkers a question may ask about; a class phrase ('PD-L1 antibody') is not one.
MARKERS: dict[str, str] = {
    "PD-L1": r"pd-?l1(?! (?:antibod|inhibitor|blockade|agent))"
    r"|programmed death[- ]ligand",
    "CD8": r"\bcd8",
    "CD20": r"\bcd20|\bb[- ]cells?\b|b lineage",
    "TLS": r"\btlss?\b|tertiary lymphoid",
    "TMB": r"\btmb\b|mutational (?:burden|load)",
    "IDO": r"\bido1?\b|kynurenine",
    "macrophages": r"macrophage|\btams?\b",
}
_ALONE = re.compile(r"\b(?:alone|monotherapy|single[- ]agent)\b", re.IGNORECASE)
_TOPIC_WORDS: tuple[tuple[Topic, str], ...] = (
    (
        "enrolment",
        r"\bhow many (?:patients|people|women|men|adults|children|were)\b"
        r"|\bhow many (?:treated|enrolled|evaluable|randomi\w+)|\benrol\w*"
        r"|\baccru\w*|\bevaluable\b",
    ),
    ("response", r"\brespon\w*|\borr\b|\bactivity\b|\bshrink\w*"),
    ("pfs", r"progression[- ]free|\bpfs\b"),
    ("os", r"overall survival|\bsurvival\b|\bos\b"),
    ("dcr", r"disease control|\bdcr\b|clinical benefit"),
    ("dor", r"duration of response|response duration|\bdor\b|how long|\blast\w*"),
    ("dfs", r"disease[- ]free|relapse|recurrence"),
    ("pathologic", r"patholog\w*|hyalini\w*"),
    (
        "toxicity",
        r"toxic\w*|safety|\bsafe\b|side effects?|adverse|tolerab\w*"
        r"|cytokine release|\w+penia\b",
    ),
    ("approval", r"approv\w*|designation"),
    ("biomarker", r"biomarker\w*|predict\w*|\bmarker|expression"),
    ("target", r"\btarget\w*|antigen"),
)
_TOPICS: tuple[tuple[Topic, re.Pattern[str]], ...] = tuple(
    (topic, re.compile(pattern, re.IGNORECASE)) for topic, pattern in _TOPIC_WORDS
)
_GENERIC = re.compile(
    r"\b(?:results?|efficacy|activity|outcomes?|work\w*|help\w*|evidence|found|find"
    r"|show\w*|achiev\w*|happened|benefit\w*|data|known|effective|respond\w*)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\s,;:.?!()\[\]\"'+]+")
# Antigens, markers and drug codes look like trial names but are not.
MARKER_LIKE = re.compile(
    r"(?:MAGE|NY-ESO|PD-|CTLA|B7-|IL-|HLA|CD\d|HER\d|GD\d|LAG|TIM|IDO|FOXP|TQB|SHR|MK-"
    r"|BMS|ADP|GSK|NKTR|INCB|JX-|OH\d|LTX|CMB|MGA|MGC|KN\d|AK\d|HHV|TMB|TLS|KIT|VEGF)",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    [
        "ORR",
        "PFS",
        "OS",
        "DCR",
        "DOR",
        "CR",
        "PR",
        "SD",
        "CI",
        "FDA",
        "EMA",
        "NCI",
        "ASCO",
        "ESMO",
        "CTOS",
        "SITC",
        "HR",
        "TRAE",
        "AE",
        "AES",
        "PD-1",
        "PD-L1",
        "CTLA-4",
        "LAG-3",
        "TKI",
        "TKIS",
        "VEGF",
        "VEGFR",
        "HLA",
        "TCR",
        "TCR-T",
        "CAR",
        "CAR-T",
        "TIL",
        "TILS",
        "ICI",
        "ICIS",
        "IDO",
        "IDO1",
        "TMB",
        "TLS",
        "NY-ESO-1",
        "MAGE-A4",
        "HER2",
        "GD2",
        "B7-H3",
        "CD8",
        "CD20",
        "CD4",
        "IL-2",
        "STS",
        "II",
        "III",
        "IV",
        "DFS",
        "RFS",
        "US",
        "USA",
        "UK",
        "MRI",
        "CT",
        "PET",
        "DNA",
        "RNA",
    ]
)


@dataclass(frozen=True)
class Requirement:
    """Regimens a trial must include: any of ``agents``, or an agent of ``classes``."""

    agents: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    label: str = ""
    combination: bool = False
    """Every agent is required (a regimen 'A + B'), not any one of them."""

    def admits(self, agents: frozenset[str], classes: frozenset[str]) -> bool:
        """Return True when a trial with these agents (or classes) qualifies."""
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


def agents_in_class(agent_class: str) -> frozenset[str]:
    """Return the agents of a class ('anti-PD-1' -> pembrolizumab, nivolumab ...)."""
    return frozenset(a for a, (classes, _) in AGENTS.items() if agent_class in classes)


def classes_of(agents: frozenset[str]) -> frozenset[str]:
    """Return the classes of ``agents``."""
    return frozenset(c for a in agents for c in AGENTS.get(a, ((), ()))[0])


def subtype_family(code: str) -> frozenset[str]:
    """Return a subtype with its kinds and its parent ('LPS' -> DDLPS, MRCLS ...)."""
    label = SUBTYPES[code][0].casefold()
    family = {code}
    for other, (other_label, _, _) in SUBTYPES.items():
        folded = other_label.casefold()
        if folded.endswith(" " + label) or label.endswith(" " + folded):
            family.add(other)
    return frozenset(family)


def family_subtypes(text: str) -> frozenset[str]:
    """Return the subtypes of a family ``text`` names ('bone sarcomas': OS, ES, CHS)."""
    return frozenset(
        c for pattern, family in _FAMILIES if pattern.search(text) for c in family
    )


def _immunotherapy() -> frozenset[str]:
    every = {c for classes, _ in AGENTS.values() for c in classes}
    return frozenset(every - _NOT_IMMUNOTHERAPY)


def _mentions(question: str) -> list[tuple[int, Requirement]]:
    """Return the regimens a question names, by position: classes, then agents."""
    text = question.lower()
    found: list[tuple[int, Requirement]] = []
    taken: list[tuple[int, int]] = []
    for pattern, classes in _UMBRELLAS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            expanded = _immunotherapy() if classes == {"*"} else classes
            label = question[start:end]
            found.append((start, Requirement(classes=expanded, label=label)))
    folded = fold(question)
    for agent, (_, synonyms) in AGENTS.items():
        for name in (agent, *synonyms):
            at = re.search(rf"(?<!\w){re.escape(fold(name))}(?!\w)", folded)
            if at:
                found.append((at.start(), Requirement(frozenset({agent}), label=agent)))
                break
    return sorted(found, key=lambda item: item[0])


def _requirements(question: str) -> tuple[Requirement, ...]:
    """Read regimens: 'X or Y' is one requirement, 'X with/plus/and Y' two."""
    folded = fold(question)
    merged: list[tuple[int, Requirement]] = []
    for position, requirement in _mentions(question):
        if merged:
            before, last = merged[-1]
            gap = folded[before:position]
            if re.search(r"\bor\b|/", gap[-12:]):
                merged[-1] = (before, last.joined(requirement, "or"))
                continue
        merged.append((position, requirement))
    return tuple(r for _, r in merged)


def question_topics(question: str, *, comparison: bool = False) -> tuple[Topic, ...]:
    """Return the topics a question asks about, most specific first.

    A question naming none, or asking for 'results', 'data' or 'activity', gets
    the efficacy results; a comparison also weighs safety and targets.
    """
    found: list[Topic] = [
        topic for topic, pattern in _TOPICS if pattern.search(question)
    ]
    if not found or _GENERIC.search(question):
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
    if len(requirements) < 2 or _OF_ONE_REGIMEN.search(text):
        return ()
    alone = re.search(r"\b(?:alone|monotherapy)\b", text)
    if alone and len(requirements) == 2:
        first, second = requirements
        if re.search(r"\b(?:plus|with|and|combined)\b", text[alone.end() :]):
            return (first, first.joined(second, "+"))
    return requirements


def names_in(question: str) -> frozenset[str]:
    """Return capitalised names the lexicon does not know: SAINT, KAPKEY, DART."""
    names = set()
    for token in _TOKEN.findall(question):
        token = token.strip("-")
        capitals = sum(c.isupper() or c.isdigit() for c in token)
        if len(token) < 3 or not token[0].isupper() or capitals < 2:
            continue
        known = canonical_agent(token) or canonical_subtype(token)
        if token.upper() in _NOT_NAMES or known or token.upper().startswith("NCT"):
            continue
        if MARKER_LIKE.match(token):
            continue
        names.add(token)
    return frozenset(names)


def _kind(question: str, query: SynthesisQuery) -> Kind | None:
    if _COMPARE.search(question):
        return "comparison"
    if _YESNO.search(question):
        return "yesno"
    if _LIST.search(question):
        return "list"
    if not _SUMMARY.search(question) or query.trials or query.names:
        return None
    if any(r.classes for r in query.requirements):
        return "class"
    return "subtype" if query.subtypes else None


def understand(question: str, *, focused: bool = False) -> SynthesisQuery | None:
    """Read a question across trials; None when it asks for a single fact.

    Args:
        question: The question, as asked (a follow-up already resolved).
        focused: Also read a question about named trials or regimens (a part
            of a multi-part question, a follow-up) as a summary of what the
            documents that report them say.
    """
    tags = tag_text(question)
    requirements = _requirements(question)
    excluded = frozenset(
        c for m in _EXCEPT.finditer(question) for c in tag_text(m.group(1)).subtypes
    )
    mentioned = {*tags.subtypes, *family_subtypes(question)}
    subtypes = frozenset(c for s in mentioned - excluded for c in subtype_family(s))
    query = SynthesisQuery(
        kind="summary",
        requirements=requirements,
        subtypes=subtypes,
        trials=frozenset((*tags.trials, *tags.nct_ids)),
        names=names_in(question),
        topics=question_topics(question),
        monotherapy=_ALONE.search(question) is not None,
        excluded=excluded,
    )
    named = bool(requirements or subtypes or query.trials or query.names)
    kind = _kind(question, query)
    if kind is None and focused and named:
        kind = "summary"
    if kind is None or not named:
        return None
    sides = _sides(question, requirements) if kind == "comparison" else ()
    return SynthesisQuery(
        kind=kind,
        requirements=() if sides else requirements,
        sides=sides,
        subtypes=subtypes,
        trials=query.trials,
        names=query.names,
        topics=question_topics(question, comparison=kind == "comparison"),
        monotherapy=query.monotherapy and kind != "comparison",
        excluded=excluded,
        markers=tuple(
            p for p in MARKERS.values() if re.search(p, question, re.IGNORECASE)
        ),
        explicit=frozenset(t for t, pattern in _TOPICS if pattern.search(question)),
    )
