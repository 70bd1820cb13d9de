"""What one sentence says: entities, trial descriptors, numbers and biomarkers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sarcolit.core.models import DesignName, PhaseName, SettingName
from sarcolit.core.vocabulary import Mention
from sarcolit.extraction.counts import Count, counts
from sarcolit.extraction.group_phrases import groups_in
from sarcolit.extraction.groups import GroupRef
from sarcolit.extraction.mentions import Finder
from sarcolit.extraction.sections import Role, run_in
from sarcolit.extraction.values import Number, numbers

_PHASE = re.compile(
    r"\b(?i:phase)\s*(I{1,3}|[1-3])\s*([ab])?(?:\s*/\s*(?:(?i:expanded|extended)\s+)?"
    r"(?:(?i:phase)\s*)?(I{1,3}|[1-3])[ab]?)?(?![\w/])"
)
_PILOT = re.compile(r"\b(?i:pilot)\s+(?:trial|study)\b")
_CITATION = re.compile(
    r"\[\d+(?:\s*[,-]\s*\d+)*\]|[a-z)]\.\d+(?:,\d+)*$|\(\d+(?:,\s*\d+)*\)\s*\.?$"
)
_ROMAN = {"1": "I", "2": "II", "3": "III", "I": "I", "II": "II", "III": "III"}
_DESIGNS: list[tuple[DesignName, re.Pattern[str]]] = [
    ("randomised", re.compile(r"(?i)\brandomi[sz]ed\b")),
    ("single-arm", re.compile(r"(?i)\bsingle[- ]arm\b")),
    ("non-comparative", re.compile(r"(?i)\bnon-?comparative\b")),
    ("retrospective/real-world", re.compile(r"(?i)\b(?:retrospective|real-world)\b")),
    ("basket", re.compile(r"(?i)\bbasket\b")),
]
_SETTINGS: list[tuple[SettingName, re.Pattern[str]]] = [
    ("neoadjuvant", re.compile(r"(?i)\b(?:neoadjuvant|preoperative)\b")),
    ("first line", re.compile(r"(?i)\b(?:first[- ]line|treatment-naive)\b")),
    (
        "advanced/metastatic",
        re.compile(r"(?i)\b(?:advanced|metastatic|unresectable)\b"),
    ),
    (
        "pretreated",
        re.compile(
            r"(?i)\b(?:pretreated|previously treated|refractory|second-line|"
            r"unresponsive to chemotherapy|received prior chemotherapy|"
            r"after (?:prior )?chemotherapy)\b"
        ),
    ),
]
_ANCHOR = re.compile(
    r"\b(?:trial|study|analysis|et al\.|cohort of \d+)(?![\w-])|\b(?i:phase)\s+[I1-3]"
)
_SELF = re.compile(r"(?i)\b(?:this|the present|our|the current)\s+(?:[\w,/-]+\s+){0,4}?"
                   r"(?:trial|study|analysis)\b")  # fmt: skip
_EXAMPLES = re.compile(r"\b(?:such as|like|e\.g\.|including)\b")
_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("PD-L1", re.compile(r"PD-L1\+?(?! (?:inhibitor|antibod|agent))")),
    ("TMB", re.compile(r"\bTMB\b|(?i:tumou?r mutational burden)")),
    ("TLS", re.compile(r"\bTLS\b|(?i:tertiary lymphoid structures?)")),
    ("CD8", re.compile(r"\bCD8\+?")),
    ("CD20 B cells", re.compile(r"\bCD20\+?|(?i:\bB[- ]cells?\b)")),
    ("IDO/kynurenine", re.compile(r"\bIDO1?\b|(?i:kynurenine)")),
]
_ASSOCIATION = re.compile(
    r"(?i)\b(?:correlat\w*|associated|linked|predict\w*|led to|identified as)\b"
)
_NONE = re.compile(r"(?i)\b(?:not|neither|no association|regardless)\b")
_NEGATIVE = re.compile(
    r"(?i)\b(?:worse|poor\w*|reduced|shorter|resistance|increased risk)\b"
)
_POSITIVE = re.compile(
    r"(?i)\b(?:improved|better|longer|superior|favou?rable|higher response|"
    r"response|benefit|predictor)\b"
)
_OUTCOME = re.compile(r"\b(ORR|PFS|OS|DCR)\b|(?i:\b(survival|response|prognosis)\b)")


@dataclass(frozen=True, slots=True)
class Tagged:
    """A value read from a span of the sentence."""

    start: int
    end: int
    value: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A biomarker association stated in a sentence."""

    marker: str
    direction: str
    outcome: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """The facts of one sentence ``text[start:end]``."""

    start: int
    end: int
    agents: list[Mention] = field(default_factory=list)
    classes: list[Mention] = field(default_factory=list)
    subtypes: list[Mention] = field(default_factory=list)
    targets: list[Mention] = field(default_factory=list)
    nct_ids: list[Mention] = field(default_factory=list)
    names: list[Mention] = field(default_factory=list)
    phases: list[Tagged] = field(default_factory=list)
    designs: list[Tagged] = field(default_factory=list)
    settings: list[Tagged] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    anchor: bool = False
    self_reference: bool = False
    examples_only: bool = False
    is_row: bool = False
    groups: list[GroupRef] = field(default_factory=list)
    lists: list[list[GroupRef]] = field(default_factory=list)
    content_start: int = 0
    """Where the text begins after a run-in heading ('Findings From ...')."""
    heading: Role | None = None
    """The role of the run-in heading the sentence starts with, if any."""
    cites: bool = False
    """Cites references ('[1, 2]'): it reports other work."""

    @property
    def identifiers(self) -> set[str]:
        """Return the NCT ids and trial names the sentence mentions."""
        return {m.value for m in (*self.nct_ids, *self.names)}

    @property
    def agent_names(self) -> set[str]:
        """Return the canonical names of the agents the sentence mentions."""
        return {m.value for m in self.agents}


def _phase_value(match: re.Match[str]) -> PhaseName:
    first = _ROMAN[match.group(1)]
    second = _ROMAN.get(match.group(3) or "", "")
    if second and second != first:
        return "I/II" if {first, second} == {"I", "II"} else "III"
    return "I" if first == "I" else ("II" if first == "II" else "III")


def phases(text: str, start: int, end: int) -> list[Tagged]:
    """Return the trial phases a sentence states ('phase 1/2' is I/II)."""
    found = [
        Tagged(*m.span(), _phase_value(m)) for m in _PHASE.finditer(text, start, end)
    ]
    found += [Tagged(*m.span(), "pilot") for m in _PILOT.finditer(text, start, end)]
    return found


def _labels(
    patterns: list[tuple[DesignName, re.Pattern[str]]]
    | list[tuple[SettingName, re.Pattern[str]]],
    text: str,
    start: int,
    end: int,
) -> list[Tagged]:
    found: list[Tagged] = []
    for label, pattern in patterns:
        match = pattern.search(text, start, end)
        if match:
            found.append(Tagged(match.start(), match.end(), label))
    return found


def findings(text: str, start: int, end: int) -> list[Finding]:
    """Return biomarker associations ('high CD20+ B cells led to longer PFS')."""
    verb = _ASSOCIATION.search(text, start, end)
    if verb is None:
        return []
    found: list[Finding] = []
    after = text[verb.start() : end]
    before = text[max(start, verb.start() - 12) : verb.start()]
    if _NONE.search(before) or _NONE.match(
        after.split(",")[0][len(verb.group()) :].strip()
    ):
        direction = "none"
    elif _NEGATIVE.search(after):
        direction = "negative"
    elif _POSITIVE.search(after):
        direction = "positive"
    else:
        return []
    outcome_match = _OUTCOME.search(after)
    outcome = (
        (outcome_match.group(1) or outcome_match.group(2)) if outcome_match else ""
    )
    for marker, pattern in _MARKERS:
        if pattern.search(text, start, verb.start()):
            found.append(
                Finding(
                    marker,
                    direction,
                    outcome.lower() if not outcome.isupper() else outcome,
                )
            )
    return found


_MAY_COUNT = re.compile(
    r"\d|(?i:\b(?:none|complete|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|\w+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r")"
)


def analyse(text: str, start: int, end: int, find: Finder) -> Sentence:
    """Return the facts of the sentence ``text[start:end]``.

    A sentence with no digit, number word or 'complete' states no value or
    count, so its numbers and groups are not looked for.
    """
    heading, content = run_in(text, start, end)
    counted = bool(_MAY_COUNT.search(text, start, end))
    groups, lists = groups_in(text, content, end, find) if counted else ([], [])
    agents = find.agents(text, start, end)
    first_agent = agents[0].start if agents else end
    examples = bool(agents) and bool(_EXAMPLES.search(text, start, first_agent))
    return Sentence(
        start=start,
        end=end,
        agents=agents,
        classes=find.classes(text, start, end),
        subtypes=find.subtypes(text, start, end),
        targets=find.targets(text, start, end),
        nct_ids=find.nct_ids(text, start, end),
        names=find.trial_names(text, start, end),
        phases=phases(text, start, end),
        designs=_labels(_DESIGNS, text, start, end),
        settings=_labels(_SETTINGS, text, start, end),
        numbers=numbers(text, start, end) if counted else [],
        counts=counts(text, start, end, find) if counted else [],
        findings=findings(text, start, end),
        anchor=bool(_ANCHOR.search(text, start, end)),
        self_reference=bool(_SELF.search(text, start, end)),
        examples_only=examples,
        is_row=" | " in text[start:end],
        groups=groups,
        lists=lists,
        content_start=content,
        heading=heading,
        cites=bool(_CITATION.search(text, start, end)),
    )
