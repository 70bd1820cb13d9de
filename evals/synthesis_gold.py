"""Synthesis gold: questions across trials and the facts a right answer states.

A synthesis gold file is JSON Lines, one question per line::

    {"id": "s001", "question": "Which trials ...?", "kind": "class",
     "history": [], "facts": [{"fact": "...", "must_contain": ["axitinib", "25%"],
     "evidence": [{"doc": "...", "quote": "..."}], "evidence_match": "any"}]}

A fact gives either ``must_contain`` (strings one line of the answer states) or
``alternatives`` (lists of such strings; any one list satisfies the fact, for
sources that disagree). Every evidence quote is located in the corpus when the
file is loaded, as for the QA gold; a malformed line is a
:class:`~sarcolit.core.errors.GoldFileError` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator

from sarcolit.core.errors import GoldFileError
from sarcolit.core.models import Document, Quote
from sarcolit.evals.gold import GOLD_DIR, EvidenceRef, _GoldModel, locate, parse_rows

SYNTHESIS_GOLD = GOLD_DIR / "synthesis.jsonl"
SynthesisKind = Literal[
    "list", "class", "subtype", "comparison", "yesno", "multipart", "followup"
]


class SynthesisFact(_GoldModel):
    """One fact a right answer states on one line, citing its evidence."""

    fact: str = Field(min_length=1, description="The fact, human-readable.")
    must_contain: tuple[str, ...] = Field(
        default=(),
        description="Strings one line of the answer states (numbers normalised): "
        "the trial, arm or cohort and the value.",
    )
    alternatives: tuple[tuple[str, ...], ...] = Field(
        default=(),
        description="Instead of must_contain: lists of strings, any one of which "
        "satisfies the fact (sources that disagree).",
    )
    evidence: tuple[EvidenceRef | str, ...] = Field(
        min_length=1, description="Quotes stating the fact ({doc, quote} or a string)."
    )
    evidence_match: Literal["all", "any"] = Field(
        default="any",
        description="'any': the line cites one of the quotes; 'all': every one.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if bool(self.must_contain) == bool(self.alternatives):
            raise ValueError("a fact gives must_contain or alternatives, not both")
        if any(not option for option in self.alternatives):
            raise ValueError("an alternative lists at least one string")
        return self

    def options(self) -> tuple[tuple[str, ...], ...]:
        """Return the string lists that satisfy the fact (any one of them)."""
        return self.alternatives or (self.must_contain,)


class SynthesisGoldRow(_GoldModel):
    """One synthesis question, its conversation so far and its facts."""

    id: str = Field(min_length=1)
    question: str = Field(min_length=1, description="The question as typed.")
    kind: SynthesisKind
    history: tuple[str, ...] = Field(
        default=(), description="Earlier questions of the conversation, oldest first."
    )
    facts: tuple[SynthesisFact, ...] = Field(min_length=1)
    note: str = ""


class LocatedFact(_GoldModel):
    """A gold fact with its evidence quotes located in documents."""

    fact: SynthesisFact
    spans: tuple[Quote, ...]


class SynthesisQuestion(_GoldModel):
    """A synthesis gold question whose evidence was located in the corpus."""

    row: SynthesisGoldRow
    line: int = Field(ge=1)
    facts: tuple[LocatedFact, ...]


def load_synthesis_gold(
    path: Path, corpus: Mapping[str, Document]
) -> list[SynthesisQuestion]:
    """Load a synthesis gold file and locate every evidence quote in ``corpus``.

    Raises:
        GoldFileError: a row is malformed or a quote is not in its document.
    """
    questions = []
    for line, row in parse_rows(path, SynthesisGoldRow):
        if row.kind == "followup" and not row.history:
            raise GoldFileError(path, line, "field 'history': a followup needs one")
        facts = tuple(
            LocatedFact(
                fact=fact,
                spans=tuple(
                    locate(corpus, ref, path=path, line=line) for ref in fact.evidence
                ),
            )
            for fact in row.facts
        )
        questions.append(SynthesisQuestion(row=row, line=line, facts=facts))
    return questions
