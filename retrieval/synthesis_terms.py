"""Patterns of a question across trials: its kind, topics, and what names look like.

Agents, classes, subtypes, targets and trials come from the vocabulary; these are
the question words around them ("which trials", "compare", "response rate").
"""

from __future__ import annotations

import re
from typing import Literal

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


def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


COMPARE = _compiled(
    r"^\s*(?:please\s+)?compare\b"
    r"|^\s*(?:in [^,]+, )?how (?:do|does|did|is|are|was|were)\b"
    r".*\b(?:compare|differ)\w*"
    r"|^\s*what (?:is|are|were) the differences?\b"
)
OF_ONE_REGIMEN = _compiled(
    r"\b(?:studies|trials|reports|analyses|cuts|reviews?|papers|abstracts)\b of\b"
    r"|\bthe two\b"
)
LIST = _compiled(
    r"\b(?:which|what) (?:\w+ ){0,3}(?:trials|studies|regimens|combinations|agents"
    r"|therapies|treatments|immunotherapies|approvals|designations)\b"
    r"|^\s*(?:please\s+)?list\b"
)
YESNO = _compiled(
    r"^\s*(?:is|are|does|do|did|has|have|can|could)\b.*\b(?:evidence|work\w*|help\w*"
    r"|effective|benefit\w*|active|activity|improve\w*|reliable|shown|rescue|make)\b"
)
SUMMARY = _compiled(
    r"\b(?:have|has)\b(?:\s+[\w-]+){0,6}?\s+(?:shown|produced|achieved|reported"
    r"|given|tried|been|demonstrated|responded|found)\b"
    r"|^\s*what (?:results|activity|data|evidence|outcomes|is known)\b"
    r"|^\s*what do\b.*\bshow\b"
)
# Asks for everything on a named subject, history or not: "Tell me about
# ImmunoSarc.", "What did SPEARHEAD-1 report?", "Summarise the lete-cel data."
ABOUT = _compiled(
    r"^\s*(?:please\s+)?(?:tell me (?:more )?about|summari[sz]e|describe"
    r"|give (?:me )?(?:an overview|a summary) of|what about)\b"
    r"|^\s*what (?:did|does|do|has|have)\b[^?]{1,80}?\b(?:report|show|find|found"
    r"|say|conclude)(?:ed|s)?\s*\??\s*$"
)
ALONE = _compiled(r"\b(?:alone|monotherapy|single[- ]agent)\b")
EXCEPT = _compiled(
    r"\b(?:other than|except(?: for)?|besides|apart from|excluding)\s+([\w -]+)"
)
GENERIC = _compiled(
    r"\b(?:results?|efficacy|activity|outcomes?|work\w*|help\w*|evidence|found|find"
    r"|show\w*|achiev\w*|happened|benefit\w*|data|known|effective|respond\w*)\b"
)
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
TOPICS: tuple[tuple[Topic, re.Pattern[str]], ...] = tuple(
    (topic, _compiled(pattern)) for topic, pattern in _TOPIC_WORDS
)
# Class words the vocabulary has no phrase for: "immunotherapy" itself, a
# target that shares the next one's noun ("PD-1 and CTLA-4 blockade").
BARE_CLASSES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (_compiled(pattern), name)
    for pattern, name in (
        (r"\bimmunotherap\w*", "immunotherapy"),
        (
            r"\b(?:engineered |adoptive )?(?:t[- ]cell |cellular |cell )therap\w*",
            "cell therapy",
        ),
        (r"\bpd-?l1(?=\s*(?:and|or|plus|/|\+)\s)", "anti-PD-L1"),
        (r"\bpd-?1(?=\s*(?:and|or|plus|/|\+)\s)", "anti-PD-1"),
        (r"\bctla-?4\b", "anti-CTLA-4"),
        (r"\banti-?angiogenic\b", "anti-angiogenic"),
        (r"\bido1? inhibit\w*", "IDO inhibitor"),
    )
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
TOKEN = re.compile(r"[^\s,;:.?!()\[\]\"'+]+")
# Antigens, markers and drug codes look like trial names but are not.
MARKER_LIKE = _compiled(
    r"(?:MAGE|NY-ESO|PD-|CTLA|B7-|IL-|HLA|CD\d|HER\d|GD\d|LAG|TIM|IDO|FOXP|TQB|SHR|MK-"
    r"|BMS|ADP|GSK|NKTR|INCB|JX-|OH\d|LTX|CMB|MGA|MGC|KN\d|AK\d|HHV|TMB|TLS|KIT|VEGF)"
)
NOT_NAMES = frozenset(
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
# Question words that say nothing about which report is meant.
GENERIC_WORDS = frozenset(
    [
        "what",
        "which",
        "whose",
        "there",
        "their",
        "these",
        "those",
        "about",
        "happened",
        "results",
        "result",
        "trials",
        "trial",
        "study",
        "studies",
        "patients",
        "response",
        "responses",
        "rates",
        "rate",
        "reports",
        "report",
        "reported",
        "achieve",
        "achieved",
        "median",
        "sarcoma",
        "sarcomas",
        "therapy",
        "therapies",
        "treatment",
        "treatments",
        "cohort",
        "cohorts",
        "group",
        "groups",
        "common",
        "compare",
        "compared",
        "evidence",
        "regarding",
        "toxicity",
        "toxic",
        "shown",
        "given",
        "number",
        "numbers",
        "subtype",
        "subtypes",
        "received",
        "receive",
        "showed",
        "data",
        "immunotherapy",
        "immunotherapies",
    ]
)
