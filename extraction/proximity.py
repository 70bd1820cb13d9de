"""Groups by proximity, for reviews: 'in UPS of 40%', 'osteosarcoma showed 5%'.

A review summarises a trial in a sentence or two and names a subtype next to
its value without the phrases :mod:`groups` reads ('UPS of 40%',
'dedifferentiated liposarcoma cohorts of 20%', 'Angiosarcoma patients
exhibited ... 3.93 months'). When a review sentence gives a value no group
phrase, a subtype named right before or after it qualifies it. On the first
sentence with results, subtypes named before the first value describe the
trial ('84 STS patients ... had an ORR of 18%').
"""

from __future__ import annotations

import re

from sarcolit.core.vocabulary import Mention, Vocabulary
from sarcolit.extraction.groups import GroupRef
from sarcolit.extraction.values import Number

_GROUP_LEAD = re.compile(
    r"\s*\)?\s*(?:\(\s*\d+\s*/\s*\d+[^)]*\)\s*)?,?\s*(?:in|among|for|with)\s+"
    r"(?:the\s+|those\s+with\s+|patients\s+with\s+)?"
)
_TRIAL_WORDS = re.compile(r"(?i)\b(?:trial|study|phase)\b")
_TRIAL_LEAD = re.compile(
    r"(?i)\b(?:advanced|metastatic|unresectable|trial|study|trial of|study of)"
    r"\s+(?:\w+\s+)?$"
)
_SUBJECT = re.compile(r"s?\s+(?:patients|cohorts?)\b")


def _cohort(mention: Mention, start: int | None = None) -> GroupRef:
    return GroupRef(
        mention.start if start is None else start,
        mention.end,
        "cohort",
        mention.value,
        (mention.value,),
    )


def right_subtype(
    text: str, position: int, end: int, subtypes: list[Mention]
) -> GroupRef | None:
    """Return a subtype named just after a value ('40% in UPS', '20% in DDLPS')."""
    lead = _GROUP_LEAD.match(text, position, end)
    if lead is None:
        return None
    for mention in subtypes:
        gap = text[lead.end() : mention.start]
        near = 0 <= mention.start - lead.end() <= 25 and not _TRIAL_WORDS.search(gap)
        if near and all(w.isalpha() for w in gap.split()):
            return _cohort(mention)
    return None


def describes_trial(
    text: str, mention: Mention, first: bool, vocab: Vocabulary
) -> bool:
    """'trial of advanced ASPS', 'in advanced STS': the trial, not a cohort."""
    if vocab.is_broad(mention.value) or _TRIAL_LEAD.search(
        text, max(0, mention.start - 25), mention.start
    ):
        return True
    return first and not _SUBJECT.match(text, mention.end)


def left_subtypes(
    text: str,
    window: int,
    number: Number,
    subtypes: list[Mention],
    first: bool,
    vocab: Vocabulary,
) -> GroupRef | None:
    """Return the subtypes named between the previous value and this one."""
    names: list[Mention] = []
    for mention in subtypes:
        if not window <= mention.start < number.start:
            continue
        if mention.value in {m.value for m in names}:
            continue
        if not describes_trial(text, mention, first, vocab):
            names.append(mention)
    if not names:
        return None
    if len(names) == 1:
        return _cohort(names[0])
    joined = "/".join(m.value for m in names)
    return GroupRef(names[0].start, names[-1].end, "cohort", joined, ())
