"""When to answer across trials, and answers of several parts joined into one.

:func:`answer_planned` is the rule the library applies before its single-fact
answerers: a question across trials, a follow-up or a multi-part question is
answered here (each part from every document that reports it); anything else
returns None and goes to the extractive or LLM answerer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sarcolit.core.models import (
    Answer,
    AnswerSentence,
    AnswerTable,
    Citation,
    TrialRecord,
)
from sarcolit.core.settings import Settings
from sarcolit.retrieval.answer import answer_question
from sarcolit.retrieval.conversation import Part
from sarcolit.retrieval.index import Filters, HybridIndex
from sarcolit.retrieval.synthesis import synthesize

SAME = "The lines above answer this part too."


def needs_planning(question: str, parts: Sequence[Part]) -> bool:
    """Return True when the plan is more than one single-fact question as asked."""
    if len(parts) != 1:
        return True
    part = parts[0]
    return part.query is not None or part.question != question


def _renumbered(
    answer: Answer, citations: list[Citation], ids: dict[tuple[str, int, int], int]
) -> dict[int, int]:
    mapping: dict[int, int] = {}
    for citation in answer.citations:
        key = (citation.doc_id, citation.start, citation.end)
        if key not in ids:
            ids[key] = len(ids) + 1
            citations.append(citation.model_copy(update={"id": ids[key]}))
        mapping[citation.id] = ids[key]
    return mapping


def _table(table: AnswerTable | None, mapping: dict[int, int]) -> AnswerTable | None:
    if table is None:
        return None
    rows = [
        row.model_copy(
            update={
                "cells": tuple(
                    c.model_copy(
                        update={"citations": tuple(mapping[i] for i in c.citations)}
                    )
                    for c in row.cells
                )
            }
        )
        for row in table.rows
    ]
    return table.model_copy(update={"rows": tuple(rows)})


def join_parts(question: str, answered: Sequence[tuple[Part, Answer]]) -> Answer:
    """Return one answer holding each part's answer under the part it answers."""
    if len(answered) == 1:
        part, answer = answered[0]
        read = (f"Read as: {part.question}",) if part.question != question else ()
        update = {"question": question, "notes": (*read, *answer.notes)}
        return answer.model_copy(update=update)
    if all(answer.refused for _, answer in answered):
        first = answered[0][1]
        return first.model_copy(update={"question": question})
    citations: list[Citation] = []
    ids: dict[tuple[str, int, int], int] = {}
    sentences: list[AnswerSentence] = []
    lines: list[str] = []
    notes: list[str] = []
    table: AnswerTable | None = None
    shown: set[str] = set()
    for number, (part, answer) in enumerate(answered, start=1):
        heading = f"({number}) {part.asked[:1].upper()}{part.asked[1:]}"
        sentences.append(AnswerSentence(text=heading, citations=()))
        lines.append(heading)
        mapping = _renumbered(answer, citations, ids)
        if answer.refused:
            lines.append(answer.answer)
            sentences.append(AnswerSentence(text=answer.answer, citations=()))
        blocks = _blocks(answer)
        fresh = [(b, t) for b, t in blocks if _remark(t, mapping) not in shown]
        for block, text in fresh:
            for sentence in block:
                cited = tuple(mapping[i] for i in sentence.citations)
                sentences.append(sentence.model_copy(update={"citations": cited}))
            lines.append(_remark(text, mapping))
            shown.add(lines[-1])
        if blocks and not fresh:
            lines.append(SAME)
            sentences.append(AnswerSentence(text=SAME, citations=()))
        table = table or _table(answer.table, mapping)
        notes.extend(n for n in answer.notes if n not in notes)
    return Answer(
        question=question,
        answer="\n".join(lines),
        refused=False,
        sentences=tuple(sentences),
        citations=tuple(citations),
        notes=tuple(notes),
        table=table,
    )


def _blocks(answer: Answer) -> list[tuple[list[AnswerSentence], str]]:
    """Return an answer's lines with the sentences each holds."""
    if answer.refused:
        return []
    texts = answer.answer.splitlines()
    if len(texts) == len(answer.sentences):
        return [([s], t) for s, t in zip(answer.sentences, texts, strict=True)]
    return [(list(answer.sentences), answer.answer)]


def _remark(line: str, mapping: dict[int, int]) -> str:
    """Renumber the ``[n]`` markers of one answer line."""

    def swap(match: re.Match[str]) -> str:
        numbers = [
            mapping.get(int(n), int(n)) for n in re.split(r"\s*,\s*", match.group(1))
        ]
        return "[" + ", ".join(map(str, numbers)) + "]"

    return re.sub(r"\[(\d+(?:\s*,\s*\d+)*)\]", swap, line)


def answer_planned(
    question: str,
    parts: Sequence[Part],
    index: HybridIndex,
    settings: Settings,
    filters: Filters | None = None,
    records: Sequence[TrialRecord] = (),
) -> Answer:
    """Answer each part (across trials when it asks across trials) and join them.

    A part no document reports on across trials gets the extractive answer to
    its standalone question, or its refusal.
    """
    answered: list[tuple[Part, Answer]] = []
    for part in parts:
        answer = None
        if part.query is not None:
            answer = synthesize(part.question, part.query, index, records, filters)
        if answer is None:
            answer = answer_question(part.question, index, settings, filters)
        answered.append((part, answer))
    return join_parts(question, answered)
