"""Numbers of patients: who was enrolled, treated or evaluable, and in which group.

A number of patients is a trial's (or a group's) size only when the sentence
says who was in the trial or the analysis: 'Fifty-two patients were
evaluated', '85 were eligible and treated', 'Among 38 evaluable patients',
'(n = 79)', 'of 40 patients', '40 UPS and 40 LPS pts', '12 of whom had
ASPS'. 'Nine patients stopped treatment', 'Thirty additional patients' and
'Twelve patients (75%) had at least one adverse event' count events, not
the population.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sarcolit.core.models import CountName
from sarcolit.extraction.groups import GroupRef, classify
from sarcolit.extraction.mentions import Finder
from sarcolit.extraction.numbers import NUMBER, inside, masked_spans, to_float
from sarcolit.extraction.values import fractions

_NOUN = r"(?:patients|pts|participants|subjects|adults|children|men|women|people|cases)"
_NOT_MODIFIER = (
    r"(?!(?i:in|with|of|and|or|the|months?|weeks?|years?|days?|had|were)\b)"
    r"(?![\w+]*-(?i:evaluated|tested|positive|negative|high|low|expressing)\b)"
)
_NOUN_COUNT = re.compile(
    rf"(?<![\w.%/-])({NUMBER})\s+((?:{_NOT_MODIFIER}[A-Za-z+-]+\s+){{0,3}}?|"
    r"[A-Za-z-]+\s+(?:and|or)\s+[A-Za-z-]+\s+)"
    rf"(?i:{_NOUN})\b"
)
# 'Leiomyosarcoma was the most common subtype (11 patients)'.
_PAREN_COUNT = re.compile(rf"\(\s*({NUMBER})\s+(?i:patients|pts)\s*\)")
_N_EQUALS = re.compile(r"\b[nN]\s*=\s*(\d+)")
_VERB_COUNT = re.compile(
    rf"(?<![\w.%/-])({NUMBER})\s+(?i:(?:were|was|had\s+been|could\s+be|could)\s+)?"
    r"(?i:(?:eligible|evaluable|assessable)\s+and\s+)?(?i:(enrolled|treated|evaluable|"
    r"evaluated|assessed|included|eligible|randomi[sz]ed|assigned|infused|dosed|"
    r"started\s+treatment|registered|accrued|entered))\b"
)
# '43 with nivolumab alone', '42 in each disease cohort', '40 per cohort'.
_BARE_COUNT = re.compile(
    rf"(?<![\w.%/-])({NUMBER})\s+(?=(?i:with|on|in|given|receiving|per)\s)"
)
_ARM_COUNT = re.compile(rf"(?<![\w.-])({NUMBER})\s+(experimental|control)\b")
_OF_WHOM = re.compile(rf"(?<![\w.-])({NUMBER})\s+(?i:of\s+whom\s+(?:had|with))\s+")
# 'Ten had ASPS, 5 UPS and 4 uterine LMS': a sentence listing what patients had.
_COMPOSITION = re.compile(rf"(?i)(?<![\w.-]){NUMBER}\s+(?:of\s+whom\s+)?had\s+")
_SUBTYPE_COUNT = re.compile(rf"(?<![\w.%/-])({NUMBER})\s+(?:(?i:had)\s+)?")
_POPULATION = re.compile(
    r"(?i)\b(?:enrol+ed|enrol+ment|treated|evaluable|evaluated|assessable|assessed|"
    r"included|eligible|randomi[sz]ed|randomly\s+assigned|received|accrued|recruited|"
    r"registered|entered|started\s+treatment|formed|consisted|comprised|population|"
    r"analy[sz]ed|analysis|infused|dosed|given|gave|administered)\b"
)
_POPULATION_BEFORE = re.compile(
    r"(?i)(?:\b(?:among|of|in|population\s+of|consisted\s+of|comprised|included|"
    r"enrolled|treated)\s+(?:the\s+|all\s+)?)$"
)
_SUBSET = re.compile(
    r"(?i)\b(?:additional|further|more|remaining|other|first|last|another|"
    r"screened|new)\s+$"
)
_LABEL_BEFORE = re.compile(
    r"(?i)\b(?:cohort|group|arm|phase|part|stage|level|grade|type|version|table|"
    r"figure|step|cycle|day|week|month|year)\s+$"
)
_SCREENED = re.compile(r"(?i)\s*(?:were\s+)?screened\b")
# What may follow 'N of M' when M counts patients ('8 of 13 assessable patients',
# '19 of 52 (37%)', '2 of 38 on monotherapy'); not '2 of 40 PD-L1+ sarcomas'.
_DENOMINATOR = re.compile(
    r"(?i)\s*(?:[)\],;.:(]|$|(?:evaluable|assessable|treated|enrolled|eligible|"
    r"patients?|pts|participants|subjects|men|women|adults|children|with|who|had|"
    r"in|on|responded|achieved|did|were|was|and|or|given|receiving)\b)"
)
_RESPONDERS = re.compile(r"\s*[(\[]\s*\d+(?:\.\d+)?\s?%")
_KINDS: list[tuple[CountName, re.Pattern[str]]] = [
    (
        "n_evaluable",
        re.compile(
            r"(?i:evaluable|assessable|assessed|evaluated|could be assessed|"
            r"efficacy|for response|radiology review)"
        ),
    ),
    (
        "n_enrolled",
        re.compile(
            r"(?i:enrol+ed|enrol+ment|recruited|accrued|registered|entered|"
            r"randomi|assigned)"
        ),
    ),
    (
        "n_treated",
        re.compile(
            r"(?i:treated|received|dosed|infused|given|gave|administered|"
            r"started)"
        ),
    ),
]


@dataclass(frozen=True, slots=True)
class Count:
    """A number of patients, its kind, and the group it was stated for (if any)."""

    start: int
    end: int
    value: int
    kind: CountName
    group: GroupRef | None = None


def _clause(text: str, start: int, end: int, at: int) -> tuple[int, int]:
    left = max(text.rfind(";", start, at), text.rfind(":", start, at), start - 1) + 1
    right_candidates = [p for p in (text.find(";", at, end),) if p >= 0]
    return left, min(right_candidates) if right_candidates else end


def _kind(text: str, start: int, end: int) -> CountName:
    window = text[start:end]
    for kind, pattern in _KINDS:
        if pattern.search(window):
            return kind
    return "n_enrolled"


def _is_population(text: str, match: re.Match[str], start: int, end: int) -> bool:
    if _SUBSET.search(text, max(start, match.start() - 15), match.start()):
        return False
    if _LABEL_BEFORE.search(text, max(start, match.start() - 12), match.start()):
        return False  # 'cohort 1 were included': a label, not a count
    if _SCREENED.match(text, match.end(), end) or _RESPONDERS.match(
        text, match.end(), end
    ):
        return False
    if _POPULATION_BEFORE.search(text, max(start, match.start() - 30), match.start()):
        return True
    left, right = _clause(text, start, end, match.start())
    return bool(_POPULATION.search(text, left, right))


def _named_before(text: str, start: int, at: int, find: Finder) -> GroupRef | None:
    """'synovial sarcoma (n=44)': the subtype right before a bracketed n."""
    lead = text.rfind("(", start, at)
    if lead < 0 or text[lead + 1 : at].strip():
        return None
    for mention in find.subtypes(text, start, lead):
        if not text[mention.end : lead].strip():
            return GroupRef(
                mention.start, mention.end, "cohort", mention.value, (mention.value,)
            )
    return None


def _value(token: str) -> int:
    return int(to_float(token))


def _subtype_counts(text: str, start: int, end: int, find: Finder) -> list[Count]:
    """Counts named by subtype: '40 UPS and 40 LPS pts', 'Ten had ASPS'."""
    found = []
    for mention in find.subtypes(text, start, end):
        lead = re.search(
            rf"(?<![\w.%/-])({NUMBER})\s+(?:(?i:of\s+whom\s+had|had|with)\s+)?"
            rf"((?:[a-z][\w-]*\s+){{0,2}}?)$",
            text[max(start, mention.start - 40) : mention.start],
        )
        if lead is None:
            continue
        at = max(start, mention.start - 40) + lead.start(1)
        if text[at - 1 : at] in "%" or re.match(r"\s*(?:%|months?|weeks?)", text[
                mention.end : mention.end + 8]):  # fmt: skip
            continue
        after = text[mention.end : min(end, mention.end + 40)]
        listed = re.match(
            rf"\s*(?:(?i:patients|pts|participants)\b|[,)]\s*|\s+and\s+{NUMBER}\s)",
            after,
        )
        had = re.search(r"(?i)\bhad\s+", lead.group(0))
        if not (listed or had) or (
            not _POPULATION.search(text, start, end) and not had
        ):
            continue
        lead_words = max(start, mention.start - 40) + lead.start(2)
        group = classify(text, lead_words, mention.end, find)
        group = GroupRef(
            mention.start, mention.end, "cohort", group.name,
            (mention.value,), qualifiers=group.qualifiers,
        )  # fmt: skip
        value = _value(lead.group(1))
        if value > 0:
            found.append(Count(at, mention.end, value, _kind(text, start, end), group))
    return found


def _population_counts(
    text: str, start: int, end: int, masks: list[tuple[int, int]]
) -> list[Count]:
    """'Fifty-two patients were evaluated', '84 were treated', '43 with X'."""
    found: list[Count] = []
    for pattern in (_NOUN_COUNT, _VERB_COUNT, _BARE_COUNT):
        for match in pattern.finditer(text, start, end):
            if inside(masks, match.start(), match.end()):
                continue
            if not _is_population(text, match, start, end):
                continue
            value = _value(match.group(1))
            _left, right = _clause(text, start, end, match.start())
            kind = _kind(text, match.start(), min(right, match.end() + 60))
            if value > 0:
                found.append(Count(match.start(), match.end(), value, kind))
    return found


def counts(text: str, start: int, end: int, find: Finder) -> list[Count]:
    """Return the numbers of patients of a sentence (kinds kept apart)."""
    masks = masked_spans(text, start, end)
    found = _population_counts(text, start, end, masks)
    for match in _N_EQUALS.finditer(text, start, end):
        found.append(
            Count(
                match.start(), match.end(), int(match.group(1)), "n_enrolled",
                _named_before(text, start, match.start(), find),
            )
        )  # fmt: skip
    for fraction in fractions(text, start, end):
        if inside(masks, fraction.start, fraction.end):
            continue
        if fraction.patients > 0 and _DENOMINATOR.match(text, fraction.end, end):
            found.append(
                Count(
                    fraction.patients_at, fraction.end, fraction.patients,
                    "n_evaluable",
                )
            )  # fmt: skip
    for match in _ARM_COUNT.finditer(text, start, end):
        role = match.group(2).lower()
        group = GroupRef(match.start(2), match.end(2), "arm", role, role=role)
        found.append(
            Count(
                match.start(), match.end(), _value(match.group(1)), "n_enrolled", group
            )
        )
    for match in _PAREN_COUNT.finditer(text, start, end):
        before = [m for m in find.subtypes(text, max(start, match.start() - 80),
                                           match.start())]  # fmt: skip
        if before:
            mention = before[-1]
            group = GroupRef(
                mention.start, mention.end, "cohort", mention.value, (mention.value,)
            )
            value = _value(match.group(1))
            found.append(Count(match.start(), match.end(), value, "n_enrolled", group))
    found += _subtype_counts(text, start, end, find)
    return _dedupe(found)


def _dedupe(found: list[Count]) -> list[Count]:
    """One count per number: the one with a group, else the first found."""
    kept: dict[int, Count] = {}
    for count in sorted(found, key=lambda c: (c.group is None, c.start)):
        key = next(
            (k for k, c in kept.items() if c.start <= count.start < c.end
             or count.start <= c.start < count.end), None,
        )  # fmt: skip
        if key is None:
            kept[count.start] = count
    return sorted(kept.values(), key=lambda c: c.start)
