"""Pure scorers for synthesis answers: facts stated on one line, and cited there.

A fact counts when one line of the answer (an answer sentence, a row of its
table, or a column when the table sets trials side by side) holds every string
of one of the fact's options, and that same line cites a passage that covers
the fact's evidence: the cited span and an evidence quote of the same document
overlap by at least half of the shorter of the two (a cited sentence holds the
quote; a record value cites a part of it).

Strings are compared after :func:`~sarcolit.evals.matching.canonical` folding:
a name is a substring match ("afami-cel" is in "afami-cel's"), a string with a
number matches whole numbers only ("25.0%" is "25%"; "5%" is not in "25%").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from sarcolit.core.models import Answer, Citation, Quote, TableCell
from sarcolit.evals.matching import canonical
from sarcolit.evals.synthesis_gold import LocatedFact

MIN_OVERLAP = 0.5
"""Least overlap of a citation and a quote, as a share of the shorter span."""
_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


class _Score(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Line(_Score):
    """One line of an answer and the citations it carries."""

    text: str
    citations: tuple[Citation, ...]


class FactScore(_Score):
    """Whether one gold fact is stated on a line, and cited there."""

    fact: str
    stated: bool
    cited: bool
    line: str = ""


def _marker_ids(text: str) -> tuple[int, ...]:
    return tuple(
        int(n) for group in _MARKERS.findall(text) for n in group.split(",") if n
    )


def answer_lines(answer: Answer) -> list[Line]:
    """Return the lines a fact may be stated on: sentences and table rows.

    An answer without structured sentences is split at line breaks, each line
    citing the ``[n]`` markers it carries.
    """
    if answer.refused:
        return []
    by_id = {c.id: c for c in answer.citations}
    lines: list[Line] = []
    if answer.sentences:
        for sentence in answer.sentences:
            cited = tuple(by_id[i] for i in sentence.citations if i in by_id)
            lines.append(Line(text=sentence.text, citations=cited))
    else:
        for raw in answer.answer.splitlines():
            cited = tuple(by_id[i] for i in _marker_ids(raw) if i in by_id)
            lines.append(Line(text=raw, citations=cited))
    if answer.table is not None:
        lines += _table_lines(answer, by_id)
    return lines


def _table_lines(answer: Answer, by_id: dict[int, Citation]) -> list[Line]:
    """Return a table's lines: its rows, or its columns when trials are columns.

    A comparison table puts the compared trials side by side (its label column
    lists endpoints), so a trial's line is its column: the header and each
    endpoint with its cell.
    """
    table = answer.table
    assert table is not None
    groups: list[tuple[str, list[tuple[str, TableCell]]]]
    if table.side_by_side:
        groups = [
            (column, [(row.label, row.cells[j]) for row in table.rows])
            for j, column in enumerate(table.columns)
        ]
    else:
        groups = [(row.label, [("", cell) for cell in row.cells]) for row in table.rows]
    lines = []
    for label, cells in groups:
        ids = [i for _, cell in cells for i in cell.citations]
        text = " | ".join(
            [label, *(f"{name} {cell.text}".strip() for name, cell in cells)]
        )
        cited = tuple(by_id[i] for i in dict.fromkeys(ids) if i in by_id)
        lines.append(Line(text=text, citations=cited))
    return lines


def covers_quote(citation: Quote, quote: Quote) -> bool:
    """Return True when a cited span and an evidence quote overlap enough."""
    if citation.doc_id != quote.doc_id:
        return False
    shared = min(citation.end, quote.end) - max(citation.start, quote.start)
    shorter = min(citation.end - citation.start, quote.end - quote.start)
    return shared > 0 and shared >= MIN_OVERLAP * max(shorter, 1)


def contains_string(text: str, string: str) -> bool:
    """Return True when ``text`` holds ``string`` (see the module docstring)."""
    needle = canonical(string)
    if not needle:
        return True
    before = r"(?<![a-z0-9])(?<!\d\.)" if needle[0].isdigit() else ""
    after = r"(?!\d)(?!\.\d)" if needle[-1].isdigit() else ""
    return re.search(before + re.escape(needle) + after, canonical(text)) is not None


def _states(text: str, options: Sequence[Sequence[str]]) -> bool:
    return any(all(contains_string(text, s) for s in option) for option in options)


def _cites(line: Line, fact: LocatedFact) -> bool:
    found = [any(covers_quote(c, q) for c in line.citations) for q in fact.spans]
    return all(found) if fact.fact.evidence_match == "all" else any(found)


def score_fact(lines: Sequence[Line], fact: LocatedFact) -> FactScore:
    """Return whether ``fact`` is stated on one of ``lines`` and cited on it."""
    options = fact.fact.options()
    stating = [line for line in lines if _states(line.text, options)]
    for line in stating:
        if _cites(line, fact):
            return FactScore(
                fact=fact.fact.fact, stated=True, cited=True, line=line.text
            )
    return FactScore(
        fact=fact.fact.fact,
        stated=bool(stating),
        cited=False,
        line=stating[0].text if stating else "",
    )


def score_synthesis(answer: Answer, facts: Sequence[LocatedFact]) -> list[FactScore]:
    """Score every gold fact of one question against ``answer``."""
    lines = answer_lines(answer)
    return [score_fact(lines, fact) for fact in facts]
