"""Answer sentences that read as answers: no reference markers, labels or raw rows.

The citation keeps the exact quote; the sentence shown is cleaned:
- bare reference markers go ("(67, 68)", "[4]", "(Table 1)", "(Fig. 2)");
- an abstract label at its start goes ("Results:", "Findings");
- a table row is read by its header ("SARC028, bone cohort: ORR 5%");
- a "respectively" list is aligned, so each number says what it belongs to.
"""

from __future__ import annotations

import re

from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest import label_length
from sarcolit.retrieval.facts import timepoints_in
from sarcolit.retrieval.tables import CELLS, read_row

# Narrower than core.text.CITATION_MARKER on purpose: a range in parentheses
# ("3 months (2-5)") is kept, since in results it is a confidence interval.
_REFERENCE = re.compile(
    r"\s*\[\d+(?:\s*[,;\u2013-]\s*\d+)*\]"  # [4], [4, 5], [4-6]
    r"|\s*\((?:\d{1,3})(?:\s*,\s*\d{1,3})*\)(?!\s*%)"  # (76), (67, 68)
    r"|\s*\((?:Supplementary |Suppl\.? )?(?:Tables?|Fig(?:ure)?s?\.?)\s+"
    r"[\w.]+(?:\s*(?:,|and|-)\s*[\w.]+)*\)",  # (Table 1), (Figs. 2 and 3)
    re.IGNORECASE,
)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:])")
_VALUE = (
    r"\d+(?:\.\d+)?\s*(?:%|months?|weeks?|years?|mo\b|wk\b)?"
    r"(?:\s*\([^()]*(?:\([^()]*\)[^()]*)*\))?"
)
_LIST = re.compile(
    rf"(?P<measure>[A-Za-z][^;:]*?)\s+(?:was|were|reached|of|at)\s+"
    rf"(?P<values>{_VALUE}(?:\s*(?:,|and|,\s*and)\s+{_VALUE})+)"
)
_ONE_VALUE = re.compile(_VALUE)
_TAIL = re.compile(
    r"(?:in|for|with|among|on|of)\s+(?:the\s+|those\s+|patients\s+(?:with|on)\s+)?"
    r"(?P<items>[^,;()]+?(?:,\s*[^,;()]+?)*\s+and\s+[^,;()]+?)"
    r"(?:\s+(?:groups?|arms?|cohorts?|patients|subgroups?))?,?\s+respectively",
    re.IGNORECASE,
)


def clean(text: str) -> str:
    """Return a sentence without reference markers and a leading abstract label."""
    text = text[label_length(text) :] if label_length(text) < len(text) else text
    text = _REFERENCE.sub("", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def _items(tail: str) -> list[str]:
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", tail)
    return [p.strip() for p in parts if p.strip()]


def align_respectively(text: str) -> str:
    """Return "measure: A x; B y" for a "respectively" sentence, or '' if unclear.

    "Median PFS was 1.7 months and 4.1 months in the monotherapy and combination
    groups, respectively" -> "Median PFS: monotherapy 1.7 months; combination 4.1
    months". Time points name the items when no group list does ("The 12-month
    and 24-month OS rates were 94% and 81%, respectively").
    """
    if "respectively" not in text:
        return ""
    tail = _TAIL.search(text)
    labels = _items(tail.group("items")) if tail else []
    readings = []
    for match in _LIST.finditer(text):
        values = [v.group().strip() for v in _ONE_VALUE.finditer(match["values"])]
        values = [v for v in values if v]
        measure = match["measure"].strip()
        names = labels
        if len(names) != len(values):
            names = [t.label for t in timepoints_in(measure)]
        if len(names) != len(values):
            continue
        pairs = "; ".join(f"{n} {v}" for n, v in zip(names, values, strict=True))
        readings.append(f"{measure}: {pairs}")
    return ". ".join(readings)


def display(
    text: str,
    vocabulary: Vocabulary,
    header: str = "",
    endpoints: frozenset[str] = frozenset(),
    words: frozenset[str] = frozenset(),
) -> str:
    """Return the sentence to show for a cited quote (see the module docstring)."""
    if CELLS in text:
        return read_row(text, header, vocabulary, endpoints, words)
    shown = clean(text)
    aligned = align_respectively(shown)
    return f"{shown} ({aligned})" if aligned else shown
