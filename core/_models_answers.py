"""Answers: cited sentences, citations, dropped sentences and answer tables.

Imported through :mod:`sarcolit.core.models`.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from sarcolit.core._models_documents import Frozen, Quote


class Citation(Quote):
    """A cited passage, resolvable to document, section, page and span."""

    id: int = Field(ge=1, description="The n of the [n] marker in the answer text.")
    title: str
    section: str = ""
    page: int | None = None


class AnswerSentence(Frozen):
    """One sentence of an answer and the citations it rests on."""

    text: str
    citations: tuple[int, ...] = Field(description="Ids of the supporting citations.")
    answerer: Literal["extractive", "llm"] = "extractive"
    label: str = Field(
        default="",
        description="The trial, arm or cohort a synthesis line is about; the "
        "text starts with it.",
    )


class Dropped(Frozen):
    """A generated sentence that failed verification and was not shown."""

    text: str
    reason: str


class TableCell(Frozen):
    """One value of an answer table and the citations it rests on."""

    text: str = Field(description="The value as shown, e.g. '37% (19/52)'.")
    citations: tuple[int, ...] = Field(
        default=(), description="Ids of the citations that state it."
    )


class TableRow(Frozen):
    """One row of an answer table: a trial, arm or cohort (or an endpoint)."""

    label: str = Field(description="What the row is about, e.g. 'SARC028, UPS'.")
    cells: tuple[TableCell, ...]


class AnswerTable(Frozen):
    """A compact table of a synthesis answer: one labelled row per item.

    Lists read one row per trial, arm or cohort with endpoints as columns; a
    comparison puts the compared regimens side by side as columns.
    """

    label: str = Field(default="Trial", description="Header of the label column.")
    columns: tuple[str, ...] = Field(description="Headers of the value columns.")
    rows: tuple[TableRow, ...] = ()
    side_by_side: bool = Field(
        default=False,
        description="True when the columns are the compared trials and the rows "
        "their endpoints.",
    )

    @model_validator(mode="after")
    def _rectangular(self) -> Self:
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ValueError(
                    f"row {row.label!r} has {len(row.cells)} cells for "
                    f"{len(self.columns)} columns"
                )
        return self


class Answer(Frozen):
    """A cited answer, or a refusal when the literature does not answer."""

    question: str
    answer: str = Field(description="Answer text with [n] citation markers.")
    refused: bool
    sentences: tuple[AnswerSentence, ...] = ()
    citations: tuple[Citation, ...] = ()
    related: tuple[Citation, ...] = Field(
        default=(), description="Closest passages offered when the answer is refused."
    )
    answerer: Literal["extractive", "llm"] = "extractive"
    dropped: tuple[Dropped, ...] = ()
    notes: tuple[str, ...] = ()
    table: AnswerTable | None = Field(
        default=None,
        description="A compact table of a synthesis answer (lists, comparisons).",
    )

    @model_validator(mode="after")
    def _citations_resolve(self) -> Self:
        known = {c.id for c in self.citations}
        cited = [s.citations for s in self.sentences]
        if self.table is not None:
            cited += [c.citations for row in self.table.rows for c in row.cells]
        for ids in cited:
            missing = set(ids) - known
            if missing:
                raise ValueError(f"answer cites unknown ids {sorted(missing)}")
        return self
