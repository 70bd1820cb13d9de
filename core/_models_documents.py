"""Documents and their parts: spans, sections, pages, chunks, quotes, search hits.

Every span is a half-open ``[start, end)`` range of character offsets into a
document's normalised text, which is computed once at ingest. Imported through
:mod:`sarcolit.core.models`.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

DocKind = Literal["review", "trial", "regulatory", "table", "article", "unknown"]
"""review: many trials; trial: a single-trial report; regulatory: an approval or
designation text; table: results tables flattened to text; article: other."""


class Frozen(BaseModel):
    """Base of every domain model: immutable, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(Frozen):
    """A half-open character range ``[start, end)`` in a document's text."""

    start: int = Field(ge=0, description="Offset of the first character.")
    end: int = Field(ge=0, description="Offset one past the last character.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before start {self.start}")
        return self


class Section(Span):
    """A titled section of a document; ``path`` joins nested headings with ' > '."""

    path: str = Field(description="Heading path, outermost first, joined by ' > '.")


class Page(Span):
    """The part of a document's text that came from one page of a PDF."""

    number: int = Field(ge=1, description="1-based page number.")


class Subject(Frozen):
    """The trial a single-trial text reports, read from its title and opening.

    Every sentence of such a text carries this context: a results sentence that
    names no trial still reports this one.
    """

    trials: tuple[str, ...] = Field(default=(), description="Trial names.")
    nct_ids: tuple[str, ...] = Field(default=(), description="NCT identifiers.")
    agents: tuple[str, ...] = Field(default=(), description="Canonical agents.")
    agent_classes: tuple[str, ...] = Field(default=(), description="Their classes.")
    subtypes: tuple[str, ...] = Field(default=(), description="Canonical subtypes.")
    phase: str | None = Field(default=None, description="Phase: I, I/II, II, III.")
    spans: tuple[Span, ...] = Field(
        default=(), description="The opening and registration sentences read."
    )


class Document(Frozen):
    """A normalised document: its canonical text and where its parts lie."""

    id: str = Field(description="Content-derived id: a hash of the normalised text.")
    source: str = Field(description="Path the document was read from.")
    title: str
    kind: DocKind = "unknown"
    year: int | None = None
    text: str = Field(description="The normalised text; every offset points here.")
    sections: tuple[Section, ...] = ()
    pages: tuple[Page, ...] = ()
    subject: Subject | None = Field(
        default=None, description="The trial a single-trial text reports."
    )

    def quote(self, start: int, end: int) -> str:
        """Return the exact text at ``[start, end)``."""
        return self.text[start:end]

    def section_at(self, offset: int) -> str:
        """Return the section path that contains ``offset`` ('' if none)."""
        for section in self.sections:
            if section.start <= offset < section.end:
                return section.path
        return ""

    def page_at(self, offset: int) -> int | None:
        """Return the PDF page that contains ``offset``, or None for non-PDF text."""
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return None


class Tags(Frozen):
    """Entities recognised in a passage, usable as search filters."""

    nct_ids: tuple[str, ...] = ()
    trials: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    agent_classes: tuple[str, ...] = ()
    subtypes: tuple[str, ...] = ()

    @classmethod
    def of(cls, subject: Subject | None) -> Tags:
        """Return the tags of a document's subject (empty when it has none)."""
        if subject is None:
            return cls()
        return cls(
            nct_ids=subject.nct_ids,
            trials=subject.trials,
            agents=subject.agents,
            agent_classes=subject.agent_classes,
            subtypes=subject.subtypes,
        )

    def is_empty(self) -> bool:
        """Return True when no entity was recognised."""
        return not any(
            (self.nct_ids, self.trials, self.agents, self.agent_classes, self.subtypes)
        )


class Chunk(Span):
    """A retrievable passage: a run of whole sentences inside one section."""

    id: str
    doc_id: str
    text: str = Field(description="Exactly the document's text at [start, end).")
    section: str = ""
    page: int | None = None
    tags: Tags = Tags()
    context: Tags = Field(
        default=Tags(),
        description="Entities of the document's subject trial, which every "
        "passage of a single-trial text reports even where it names none.",
    )


class Quote(Span):
    """A span of a document together with the exact text it covers."""

    doc_id: str
    quote: str

    def check(self, document_text: str) -> None:
        """Raise ValueError unless the quote is the document's text at the span."""
        actual = document_text[self.start : self.end]
        if actual != self.quote:
            raise ValueError(
                f"quote {self.quote[:60]!r} is not the text at "
                f"[{self.start}, {self.end}) of {self.doc_id}: {actual[:60]!r}"
            )


class SearchHit(Frozen):
    """A retrieved chunk with its fused score and per-retriever ranks."""

    chunk: Chunk
    title: str
    score: float = Field(description="Reciprocal-rank-fusion score.")
    dense_rank: int | None = None
    bm25_rank: int | None = None
    dense_similarity: float | None = None
