"""What a part of a trial report is for: results to read, design, or background.

A report's Background and Introduction describe other trials, and its
Methods state the design's thresholds ('a response rate of 25% was
considered meaningful'): their numbers are not the trial's results. Sections
come from the document's headings, and from the run-in headings of structured
abstracts ('Findings From March 13, 2015, ...', 'RESULTS: Thirty patients').
A part is one of:

- ``results``: values and counts are read;
- ``design``: only patient counts are read (Methods, Participants);
- ``skip``: nothing is read (Background, Funding, References ...).
"""

from __future__ import annotations

import re
from typing import Literal

Role = Literal["results", "design", "skip"]

_SKIP = (
    r"background|introduction|rationale|purpose|objectives?|importance|context|"
    r"question|meaning|aims?|why this trial|why \w+|funding|research funding|"
    r"references|keywords|contributors|copyright|acknowledge?ments?|"
    r"related coverage|what the designation means|ethics approval|"
    r"legal entity[^:]*|declaration of interests?|disclosures?"
)
_DESIGN = (
    r"methods?|patients and methods|materials and methods|design(?:, setting,? and "
    r"participants)?|study design|trial design|interventions?|main outcomes? and "
    r"measures?|participants|eligibility|who can take part|treatment|"
    r"statistical analysis|patients|procedures|outcomes"
)
_RESULTS = (
    r"results?|findings|efficacy|key results|safety|conclusions?(?: and relevance)?|"
    r"interpretation|discussion|basis for the designation|key points|"
    r"efficacy by cohort|status|summary|abstract|how it compares|the study"
)
_ALL = rf"(?:{_SKIP}|{_DESIGN}|{_RESULTS})"
RUN_IN = re.compile(rf"\W*(?i:{_ALL})(?:\s*[:.]\s*|\s+(?=[A-Z0-9]))")
"""A run-in heading at the start of a sentence: 'Findings From ...', 'RESULTS: '."""
_ROLES: list[tuple[Role, re.Pattern[str]]] = [
    ("skip", re.compile(rf"(?i)^\W*(?:{_SKIP})\b")),
    ("design", re.compile(rf"(?i)^\W*(?:{_DESIGN})\b")),
    ("results", re.compile(rf"(?i)^\W*(?:{_RESULTS})\b")),
]


def role_of(heading: str) -> Role | None:
    """Return the role a heading gives its section, or None for other headings."""
    for role, pattern in _ROLES:
        if pattern.match(heading.strip()):
            return role
    return None


def run_in(text: str, start: int, end: int) -> tuple[Role | None, int]:
    """Return the role of a run-in heading at ``start`` and where the text begins."""
    match = RUN_IN.match(text, start, end)
    if match is None:
        return None, start
    heading = text[start : match.end()]
    # 'Results Thirty patients' is a heading; 'Results were similar' is not.
    if (
        not re.search(r"[:.]\s*$", heading)
        and text[match.end() : match.end() + 1].islower()
    ):
        return None, start
    return role_of(heading), match.end()
