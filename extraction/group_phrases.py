"""Find the phrases of a sentence that name a group (see :mod:`groups`).

'in the nivolumab group', 'with the combination', 'without it', 'for patients
with ASPS', 'In the soft-tissue group,', 'the MRCLS subgroup', 'of ten with
liposarcoma', 'for those with other sarcomas', 'in the monotherapy and
combination groups' (a list, for 'respectively'), 'for all patients' (the
trial).
"""

from __future__ import annotations

import re
from dataclasses import replace

from sarcolit.core.vocabulary import Mention
from sarcolit.extraction.groups import NAMEABLE, GroupRef, classify
from sarcolit.extraction.mentions import Finder
from sarcolit.extraction.numbers import NUMBER, to_float

_HEAD_NOUN = re.compile(
    r"(?i)\b(?:groups?|arms?|cohorts?|subgroups?|sub-groups?|populations?)\b"
    r"(?!\s+(?:\d|[A-Z]\b|of\s+(?:the\s+)?[A-Z]))"
)
_STOP = frozenset(
    [
        "in",
        "among",
        "for",
        "of",
        "on",
        "with",
        "to",
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "each",
        "both",
        "was",
        "were",
        "is",
        "are",
        "as",
        "at",
        "by",
        "from",
        "than",
        "versus",
        "vs",
        "whereas",
        "while",
        "but",
        "who",
        "which",
        "its",
        "their",
        "our",
        "into",
        "per",
        "all",
        "every",
        "any",
    ]
)
_NUMBER_RE = re.compile(rf"{NUMBER}$")
_DISTRIBUTIVE = re.compile(r"(?i)\b(?:each|every|per)\s+(?:disease\s+|treatment\s+)?$")
_PATIENTS = (
    r"(?:(?:evaluable|assessable|treated|eligible|enrolled)\s+)?"
    r"(?:patients|pts|participants|subjects|people|those|ones|adults|children)"
)
_WITH = re.compile(
    rf"(?i:\b(?:in|among|for|of|on)\s+)(?:(?i:the|those|these|all)\s+)?"
    rf"(?:({NUMBER})\s+)?(?:(?i:{_PATIENTS})\s+)?"
    rf"(?i:with|who\s+had|harbou?ring|diagnosed\s+with)\s+"
)
_BARE_WITH = re.compile(
    rf"(?<![\w.-])({NUMBER})\s+(?i:(each)\s+)?(?:(?i:evaluable\s+)?(?i:patients?|pts)\s+)?"
    r"(?i:with|who\s+had)\s+"
)
# 'with X (n=44) or Y (n=8)': several groups named at once, the count is the total.
_LISTED = re.compile(r"\s*(?:\([^)]*\))?\s*,?\s*(?:or|and)\s+(?:the\s+)?")
_WHOSE = re.compile(
    r"(?i)\b(?:in|among|for)\s+(?:patients|those)\s+whose\s+(?:tumou?rs?|disease|"
    r"cancers?|primar(?:y|ies))\s+(?:arose|originated|began|started|were)\s+"
    r"(?:in|on|at)\s+(?:the\s+)?"
)
_IN_POPULATION = re.compile(
    r"(?i)\b(?:in|among|for)\s+(?:the\s+)?((?:[\w,+/-]+\s+){0,4}?"
    r"(?:tumou?rs|subtypes|histolog(?:y|ies)|sarcomas|cancers))\b"
)
# 'among phase 2 patients', 'in the phase 1 part': a part of the trial a record
# does not model (its values are not the trial's).
_PHASE_PART = re.compile(
    r"(?i)\b(?:in|among|for)\s+(?:the\s+)?(?:phase\s*(?:[1-3]|I{1,3})[ab]?)\s+"
    r"(?:patients|participants|part|portion|population|cohort|component)\b"
)
# 'indolent and chemotherapy-insensitive sarcomas such as chordoma and ASPS had
# ...': a class named by examples, which sarcolit cannot name (the examples are
# not groups of their own).
_SUCH_AS = re.compile(
    r"(?i)\b((?:[\w-]+,?\s+){0,4}?(?:sarcomas|tumou?rs|subtypes|histolog(?:y|ies)))"
    r"\s+such\s+as\s+[^,;.()]*?(?=\s+(?:had|have|showed|achieved|reached)\b)"
)
_PREP = re.compile(r"(?i)\b(?:in|for|among)\s+(?:the\s+)?(?:patients\s+with\s+)?$")
_PAREN = re.compile(r"\(\s*([^()]{2,40}?)\s*\)")
_FREE = re.compile(r"[\w/-]+(?:\s+(?!and\b|or\b|with\b|in\b|vs\b|but\b)[\w/-]+){0,4}")
_ARM_WORDS = re.compile(
    r"(?i)\b(?:with|on|given|receiving|received|against)\s+(?:the\s+)?(combination|"
    r"doublet|two drugs|both drugs|single agent|monotherapy|triplet)\b"
    r"|\bwithout\s+(?:it|them|the\s+antibody)\b"
    r"|\b(?:those|patients|ones)\s+who\s+did\s+not\b"
    r"|\bwho\s+received\s+(?:the\s+)?(?:antibody|drug|combination)\b"
)
_OVERALL = re.compile(
    r"(?i)\b(?:for|in|among)\s+(?:all\s+(?:\w+\s+)?patients|the\s+(?:whole|overall|"
    r"entire|total)\s+(?:population|cohort|study\s+population|group)|the\s+trial\s+"
    r"as\s+a\s+whole|both\s+histologies|either\s+histology)\b"
)
_SITE = re.compile(r"(?i)\b(?:scalp|face|skin|cutaneous|visceral|sites?|primar\w*)\b")


def _words_before(text: str, start: int, head: int) -> int:
    """Walk left from a head noun over the words that name the group."""
    begin = head
    for match in reversed(list(re.finditer(r"[\w+/-]+|[,()\[\]:;]", text[start:head]))):
        word = match.group().lower()
        if word in _STOP or _NUMBER_RE.match(word) or word in "()[]:;":
            break
        begin = start + match.start()
    while text[begin:head].lower().startswith(("and ", "or ", ",")):
        begin = text.index(" ", begin) + 1 if " " in text[begin:head] else head
    return begin


def _split_list(text: str, begin: int, head: int) -> list[tuple[int, int]]:
    spans = []
    for match in re.finditer(r"[^,]+?(?=\s*,|\s+(?:and|or)\s+|$)", text[begin:head]):
        piece = match.group().strip()
        piece = re.sub(r"^(?:and|or)\s+", "", piece)
        if piece:
            at = text.index(piece, begin + match.start())
            spans.append((at, at + len(piece)))
    return spans


def headed_groups(
    text: str, start: int, end: int, find: Finder
) -> list[list[GroupRef]]:
    """Return 'the X group' phrases; 'the A and B groups' is a list of two."""
    found: list[list[GroupRef]] = []
    for head in _HEAD_NOUN.finditer(text, start, end):
        begin = _words_before(text, start, head.start())
        distributive = bool(_DISTRIBUTIVE.search(text, start, begin))
        if begin >= head.start():
            if distributive:
                ref = GroupRef(begin, head.end(), "cohort", "", distributive=True)
                found.append([replace(ref, headed=True)])
            continue
        plural = head.group().lower().endswith("s")
        spans = _split_list(text, begin, head.start()) if plural else []
        if len(spans) < 2:
            spans = [(begin, head.start())]
        refs = [classify(text, s, e, find, headed=True) for s, e in spans]
        refs = [replace(r, distributive=distributive) for r in refs]
        refs[-1] = replace(refs[-1], end=head.end())
        found.append(refs)
    return found


def _named_after(text: str, at: int, end: int, find: Finder) -> tuple[int, int] | None:
    """Return the span of the group named at ``at``: a subtype or a short phrase."""
    subtypes = [s for s in find.subtypes(text, at, end) if s.start - at <= 30]
    if subtypes and not re.search(r"[,;()]", text[at : subtypes[0].start]):
        stop = subtypes[0].end
        tail = re.match(r"\s+of\s+(?:the\s+)?(?:bone|skin|uterus)\b", text[stop:end])
        return at, stop + (tail.end() if tail else 0)
    free = _FREE.match(text, at, end)
    if free and NAMEABLE.search(free.group()):
        return at, free.end()
    return None


def _lists_subtypes(text: str, at: int, end: int, find: Finder) -> bool:
    """'synovial sarcoma (n=44) or myxoid round cell liposarcoma': a list of groups."""
    joined = _LISTED.match(text, at, end)
    if joined is None:
        return False
    following = find.subtypes(text, joined.end(), min(end, joined.end() + 40))
    if not following or following[0].start - joined.end() > 15:
        return False
    # 'and one with MRCLS', 'and 22 with MRCLS': each group has its own count.
    return not re.search(NUMBER, text[joined.end() : following[0].start])


def population_groups(text: str, start: int, end: int, find: Finder) -> list[GroupRef]:
    """Return 'patients with X', 'the ten patients with ASPS', 'five each with X'."""
    found: list[GroupRef] = []
    for pattern in (_WITH, _BARE_WITH):
        for match in pattern.finditer(text, start, end):
            span = _named_after(text, match.end(), end, find)
            if span is None or _lists_subtypes(text, span[1], end, find):
                continue
            ref = classify(text, *span, find)
            if ref.level == "arm":
                continue  # '43 with nivolumab alone' is read by the arm rules
            size = int(to_float(match.group(1))) if match.group(1) else None
            each = pattern is _BARE_WITH and bool(match.group(2))
            ref = replace(ref, start=match.start(), count=size, distributive=each)
            found.extend(_distributed(text, ref, end, find) if each else [ref])
    for match in _WHOSE.finditer(text, start, end):
        span = _named_after(text, match.end(), end, find)
        if span:
            found.append(replace(classify(text, *span, find), start=match.start()))
    for match in _IN_POPULATION.finditer(text, start, end):
        ref = classify(text, match.start(1), match.end(1), find)
        if ref.subtypes or ref.level != "cohort":
            continue  # read as 'in UPS' by subtype_groups
        # 'in other sarcomas', 'in cutaneous scalp and face tumors' name a group;
        # 'in indolent, chemotherapy-insensitive tumours' a class sarcolit can't.
        named = _SITE.search(match.group(1)) or re.match(
            r"(?i)(?:other|remaining)\b", match.group(1)
        )
        ref = ref if named else replace(ref, unknown=True)
        found.append(replace(ref, start=match.start()))
    return found + _unnamed_groups(text, start, end)


def _unnamed_groups(text: str, start: int, end: int) -> list[GroupRef]:
    """Return parts of a trial no record models (their values are dropped).

    'among phase 2 patients', 'sarcomas such as chordoma and ASPS had ...'.
    """
    found = [
        GroupRef(m.start(), m.end(), "cohort", m.group(1), unknown=True)
        for m in _SUCH_AS.finditer(text, start, end)
    ]
    for match in _PHASE_PART.finditer(text, start, end):
        name = match.group().split(None, 1)[1]
        found.append(GroupRef(match.start(), match.end(), "cohort", name, unknown=True))
    return found


def _distributed(text: str, ref: GroupRef, end: int, find: Finder) -> list[GroupRef]:
    """'five each with UPS, SS and osteosarcoma': one group per subtype."""
    clause = re.match(r"[^;.]*", text[ref.end : end])
    stop = ref.end + (clause.end() if clause else 0)
    subtypes = find.subtypes(text, ref.end - len(ref.name), stop)
    return [
        replace(ref, name=text[s.start : s.end], subtypes=(s.value,), end=s.end)
        for s in subtypes
    ] or [ref]


def subtype_groups(text: str, start: int, end: int, find: Finder) -> list[GroupRef]:
    """Return 'in UPS', 'for ASPS', 'in synovial sarcoma', and '0% (LMS)'.

    A subtype (or 'other sarcomas') alone in brackets right after a percentage
    names the group the percentage is for.
    """
    found = []
    for match in _PAREN.finditer(text, start, end):
        if not re.search(r"%\s*$", text[max(start, match.start() - 3) : match.start()]):
            continue
        ref = classify(text, match.start(1), match.end(1), find)
        if ref.level == "cohort" and not ref.unknown:
            found.append(replace(ref, start=match.start(), end=match.end()))
    for mention in find.subtypes(text, start, end):
        lead = _PREP.search(text, max(start, mention.start - 30), mention.start)
        if lead is None:
            continue
        ref = classify(text, mention.start, mention.end, find)
        found.append(replace(ref, start=lead.start()))
    return found


def _agent_phrase(
    text: str, at: int, end: int, find: Finder
) -> tuple[int, tuple[Mention, ...], bool] | None:
    """'nivolumab plus ipilimumab', 'nivolumab alone': agents starting at ``at``."""
    mentions: list[Mention] = []
    position = at
    while True:
        agents = find.agents(text, position, min(end, position + 60))
        if not agents or agents[0].start != position:
            break
        mentions.append(agents[0])
        position = agents[0].end
        joiner = re.match(r"\s*(?:\+|plus|and|with)\s*", text[position:end])
        if joiner is None:
            break
        following = find.agents(text, position + joiner.end(), min(end, position + 60))
        if not following or following[0].start != position + joiner.end():
            break
        position += joiner.end()
    if not mentions:
        return None
    alone = re.match(r"\s*(?:alone|monotherapy|single agent)\b", text[position:end])
    stop = position + (alone.end() if alone else 0)
    return stop, tuple(mentions), bool(alone)


def arm_groups(text: str, start: int, end: int, find: Finder) -> list[GroupRef]:
    """Return arm phrases: 'with the combination', 'without it', 'with X alone'."""
    found = []
    for match in _ARM_WORDS.finditer(text, start, end):
        word = (match.group(1) or match.group()).lower()
        experimental = word in ("combination", "doublet", "two drugs", "both drugs")
        experimental = (
            experimental or word == "triplet" or (word.startswith("who received"))
        )
        role = "experimental" if experimental else "control"
        found.append(GroupRef(match.start(), match.end(), "arm", word, role=role))
    lead = re.compile(r"(?i)\b(?:with|on|given|receiving|received|for)\s+")
    for match in lead.finditer(text, start, end):
        phrase = _agent_phrase(text, match.end(), end, find)
        if phrase is None:
            continue
        stop, mentions, alone = phrase
        found.append(
            GroupRef(
                match.start(), stop, "arm", text[match.end() : stop],
                agents=mentions, role="control" if alone else "",
            )
        )  # fmt: skip
    return found


def overall_groups(text: str, start: int, end: int) -> list[GroupRef]:
    """Return phrases that name the whole trial: 'for all patients'."""
    return [
        GroupRef(m.start(), m.end(), "trial", "overall")
        for m in _OVERALL.finditer(text, start, end)
    ]


def groups_in(
    text: str, start: int, end: int, find: Finder
) -> tuple[list[GroupRef], list[list[GroupRef]]]:
    """Return every group phrase of a sentence, and the lists among them."""
    lists = headed_groups(text, start, end, find)
    found = [ref for refs in lists for ref in refs]
    found += population_groups(text, start, end, find)
    found += subtype_groups(text, start, end, find)
    found += arm_groups(text, start, end, find)
    found += overall_groups(text, start, end)
    found = _non_overlapping(found)
    return found, [refs for refs in lists if len(refs) > 1]


def _non_overlapping(found: list[GroupRef]) -> list[GroupRef]:
    """Keep the longest of overlapping phrases (a subtype inside 'the UPS cohort')."""
    kept: list[GroupRef] = []
    for ref in sorted(found, key=lambda r: (r.start - r.end, r.start)):
        if all(ref.end <= k.start or ref.start >= k.end for k in kept):
            kept.append(ref)
    return sorted(kept, key=lambda r: r.start)
