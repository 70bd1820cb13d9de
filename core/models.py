"""The domain model shared by every stage.

Every span is a half-open ``[start, end)`` range of character offsets into a
document's normalised text, which is computed once at ingest.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

DocKind = Literal["review", "trial", "regulatory", "table", "article", "unknown"]
"""review: many trials; trial: a single-trial report; regulatory: an approval or
designation text; table: results tables flattened to text; article: other."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Frozen):
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


class Subject(_Frozen):
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


class Document(_Frozen):
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


class Tags(_Frozen):
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


class Citation(Quote):
    """A cited passage, resolvable to document, section, page and span."""

    id: int = Field(ge=1, description="The n of the [n] marker in the answer text.")
    title: str
    section: str = ""
    page: int | None = None


class AnswerSentence(_Frozen):
    """One sentence of an answer and the citations it rests on."""

    text: str
    citations: tuple[int, ...] = Field(description="Ids of the supporting citations.")
    answerer: Literal["extractive", "llm"] = "extractive"
    label: str = Field(
        default="",
        description="The trial, arm or cohort a synthesis line is about; the "
        "text starts with it.",
    )


class Dropped(_Frozen):
    """A generated sentence that failed verification and was not shown."""

    text: str
    reason: str


class TableCell(_Frozen):
    """One value of an answer table and the citations it rests on."""

    text: str = Field(description="The value as shown, e.g. '37% (19/52)'.")
    citations: tuple[int, ...] = Field(
        default=(), description="Ids of the citations that state it."
    )


class TableRow(_Frozen):
    """One row of an answer table: a trial, arm or cohort (or an endpoint)."""

    label: str = Field(description="What the row is about, e.g. 'SARC028, UPS'.")
    cells: tuple[TableCell, ...]


class AnswerTable(_Frozen):
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


class Answer(_Frozen):
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


class SearchHit(_Frozen):
    """A retrieved chunk with its fused score and per-retriever ranks."""

    chunk: Chunk
    title: str
    score: float = Field(description="Reciprocal-rank-fusion score.")
    dense_rank: int | None = None
    bm25_rank: int | None = None
    dense_similarity: float | None = None


# --- Trial records (extraction) ---------------------------------------------
# Appended by the extraction issue; ``ValidationInfo`` carries the document texts
# that evidence is checked against (``model_validate(..., context=...)``).
from pydantic import ValidationInfo  # noqa: E402

EVIDENCE_TEXTS = "texts"
"""Validation-context key: a mapping of doc_id to normalised text."""


def _known_class(name: str) -> str:
    # Imported here: the vocabulary module itself imports this one.
    from sarcolit.core.vocabulary import is_known_class

    if not is_known_class(name):
        raise ValueError(
            f"unknown agent class {name!r}; add it under [classes] in the vocabulary"
        )
    return name


AgentClass = Annotated[str, AfterValidator(_known_class)]
"""An agent class of the vocabulary ('anti-PD-1', 'VEGFR TKI', 'TCR-T' ...)."""
PhaseName = Literal["I", "I/II", "II", "III", "pilot"]
DesignName = Literal[
    "single-arm", "randomised", "non-comparative", "retrospective/real-world", "basket"
]
SettingName = Literal["neoadjuvant", "advanced/metastatic", "first line", "pretreated"]
CountName = Literal["n_enrolled", "n_treated", "n_evaluable"]
EndpointName = Literal[
    "ORR",
    "DCR",
    "CBR",
    "CR",
    "pathologic_response",
    "median_PFS",
    "median_OS",
    "median_DOR",
    "PFS_rate",
    "OS_rate",
    "grade3plus_AE",
]
Unit = Literal["%", "months", "patients"]
Level = Literal["trial", "arm", "cohort"]

MAX_MEDIAN_MONTHS = 240.0
_MEDIANS = frozenset({"median_PFS", "median_OS", "median_DOR"})
_RATES = frozenset({"PFS_rate", "OS_rate"})


class Evidence(Quote):
    """The exact text a value was read from: document, span and quote.

    When validated with ``context={"texts": {doc_id: text}}`` the quote must be
    the document's text at ``[start, end)``; otherwise the value is rejected.
    """

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> Self:
        if not self.quote.strip():
            raise ValueError("evidence quote is empty")
        if len(self.quote) != self.end - self.start:
            raise ValueError(
                f"quote length {len(self.quote)} does not match span "
                f"[{self.start}, {self.end})"
            )
        texts = (info.context or {}).get(EVIDENCE_TEXTS)
        if isinstance(texts, dict) and self.doc_id in texts:
            self.check(texts[self.doc_id])
        return self


class TextValue(_Frozen):
    """A short text value (identifier, name, subtype, target) and its evidence."""

    value: str = Field(description="The normalised value, e.g. 'NCT03798106', 'UPS'.")
    evidence: Evidence = Field(description="Where the value is stated.")


class PhaseValue(_Frozen):
    """The trial phase and its evidence."""

    value: PhaseName = Field(description="Trial phase; 'Ib' is I, '1/2' is I/II.")
    evidence: Evidence = Field(description="Where the phase is stated.")


class DesignValue(_Frozen):
    """A design feature and its evidence."""

    value: DesignName = Field(description="Design feature of the trial.")
    evidence: Evidence = Field(description="Where the design is stated.")


class SettingValue(_Frozen):
    """A treatment setting and its evidence."""

    value: SettingName = Field(description="Treatment setting of the trial.")
    evidence: Evidence = Field(description="Where the setting is stated.")


class Intervention(_Frozen):
    """A normalised agent (synonyms resolved) with its class."""

    name: str = Field(description="Canonical agent name, e.g. 'pembrolizumab'.")
    agent_class: AgentClass | None = Field(
        default=None,
        description="Class of the agent in the vocabulary, e.g. 'anti-PD-1', "
        "'VEGFR TKI', 'TCR-T'.",
    )
    evidence: Evidence = Field(description="Where the agent is named.")


class CountValue(_Frozen):
    """A number of patients: enrolled, treated or evaluable, kept apart."""

    kind: CountName = Field(description="Which count: enrolled, treated or evaluable.")
    value: int = Field(description="Number of patients; must be positive.")
    evidence: Evidence = Field(description="Where the count is stated.")

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.value <= 0:
            raise ValueError(f"implausible {self.kind} {self.value}: n must be > 0")
        return self


class EndpointValue(_Frozen):
    """One typed, normalised endpoint value (medians in months, rates in %)."""

    endpoint: EndpointName = Field(
        description="ORR, DCR, CBR, CR, pathologic_response, median_PFS, median_OS, "
        "median_DOR, PFS_rate or OS_rate (a rate at a time point, not a median), "
        "grade3plus_AE."
    )
    value: float = Field(description="Normalised: % for rates, months for medians.")
    unit: Unit = Field(description="'%' for rates, 'months' for medians, 'patients'.")
    original_value: float = Field(description="The value as written.")
    original_unit: str = Field(description="The unit as written: %, months, weeks ...")
    timepoint: str | None = Field(
        default=None, description="Time point of a rate as written, e.g. '18 months'."
    )
    timepoint_months: float | None = Field(
        default=None, description="The time point converted to months."
    )
    qualifier: Literal["=", ">", "<"] = Field(
        default="=", description="'>' for 'exceeded', '<' for 'below'."
    )
    ci_low: float | None = Field(default=None, description="Lower confidence bound.")
    ci_high: float | None = Field(default=None, description="Upper confidence bound.")
    evidence: Evidence = Field(description="The sentence or cell stating the value.")

    @model_validator(mode="after")
    def _plausible(self) -> Self:
        problem = endpoint_problem(self)
        if problem:
            raise ValueError(f"implausible {self.endpoint} {self.value}: {problem}")
        return self


def endpoint_problem(value: EndpointValue) -> str:
    """Return why an endpoint value is implausible, or '' when it is plausible."""
    if value.unit == "%" and not 0 <= value.value <= 100:
        return "a percentage must lie between 0 and 100"
    if value.unit == "months" and not 0 < value.value <= MAX_MEDIAN_MONTHS:
        return f"a duration must lie in (0, {MAX_MEDIAN_MONTHS:g}] months"
    if value.unit == "patients" and value.value < 0:
        return "a number of patients cannot be negative"
    if value.endpoint in _MEDIANS and value.unit != "months":
        return "a median must be a duration in months"
    if value.endpoint not in _MEDIANS and value.unit == "months":
        return "only medians are durations; a rate needs a percentage"
    if value.endpoint in _RATES and value.timepoint_months is None:
        return "a survival rate needs a time point"
    low, high = value.ci_low, value.ci_high
    if low is not None and high is not None and not low <= value.value <= high:
        return "the value lies outside its confidence interval"
    return ""


class BiomarkerFinding(_Frozen):
    """A biomarker's association with outcome and its direction."""

    marker: str = Field(description="PD-L1, TMB, TLS, CD8, CD20 B cells, IDO ...")
    direction: Literal["positive", "negative", "none"] = Field(
        description="'positive': more marker, better outcome; 'none': no association."
    )
    outcome: str = Field(default="", description="The outcome, e.g. 'ORR', 'PFS'.")
    evidence: Evidence = Field(description="The sentence stating the finding.")


class ArmResult(_Frozen):
    """Results of one arm, e.g. nivolumab alone vs nivolumab + ipilimumab."""

    name: str = Field(description="The arm's name, its agents joined by ' + '.")
    interventions: tuple[Intervention, ...] = ()
    counts: tuple[CountValue, ...] = ()
    endpoints: tuple[EndpointValue, ...] = ()


class CohortResult(_Frozen):
    """Results of one cohort of a trial, e.g. the UPS cohort of SARC028."""

    name: str = Field(description="The cohort's name, e.g. 'UPS'.")
    subtype: str | None = Field(default=None, description="Canonical sarcoma subtype.")
    counts: tuple[CountValue, ...] = ()
    endpoints: tuple[EndpointValue, ...] = ()


class Conflict(_Frozen):
    """Sources that disagree on one value; all values are kept."""

    level: Level
    group: str = ""
    endpoint: str
    timepoint: str | None = None
    values: tuple[float, ...]
    doc_ids: tuple[str, ...]


class TrialRecord(_Frozen):
    """One clinical trial as a document (or several, merged) reports it."""

    key: str = Field(default="", description="Identity key: NCT id, name or agents.")
    nct_ids: tuple[TextValue, ...] = Field(default=(), description="NCT identifiers.")
    names: tuple[TextValue, ...] = Field(
        default=(), description="Acronyms or names, e.g. SARC028, SPEARHEAD-1."
    )
    title: str | None = Field(default=None, description="Title of the reporting paper.")
    phase: tuple[PhaseValue, ...] = Field(default=(), description="Trial phase.")
    design: tuple[DesignValue, ...] = Field(default=(), description="Design features.")
    setting: tuple[SettingValue, ...] = Field(default=(), description="Settings.")
    interventions: tuple[Intervention, ...] = Field(
        default=(), description="Every agent given in the trial."
    )
    targets: tuple[TextValue, ...] = Field(
        default=(), description="Antigen targets: NY-ESO-1, MAGE-A4, B7-H3, HER2, GD2."
    )
    hla: tuple[TextValue, ...] = Field(default=(), description="HLA restriction.")
    subtypes: tuple[TextValue, ...] = Field(
        default=(), description="Sarcoma subtypes the trial enrolled."
    )
    counts: tuple[CountValue, ...] = Field(
        default=(), description="Trial-level patient numbers."
    )
    endpoints: tuple[EndpointValue, ...] = Field(
        default=(), description="Trial-level results (never a comparator's)."
    )
    arms: tuple[ArmResult, ...] = Field(default=(), description="Per-arm results.")
    cohorts: tuple[CohortResult, ...] = Field(
        default=(), description="Per-subtype cohort results."
    )
    biomarkers: tuple[BiomarkerFinding, ...] = Field(
        default=(), description="Biomarker associations."
    )
    doc_ids: tuple[str, ...] = ()
    extractor: Literal["rules", "llm", "merged"] = "rules"
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[str, ...] = ()

    def evidence(self) -> tuple[Evidence, ...]:
        """Return the evidence of every value in the record."""
        values: list[_Grounded] = [
            *self.nct_ids,
            *self.names,
            *self.phase,
            *self.design,
            *self.setting,
            *self.interventions,
            *self.targets,
            *self.hla,
            *self.subtypes,
            *self.counts,
            *self.endpoints,
            *self.biomarkers,
        ]
        for arm in self.arms:
            values.extend((*arm.interventions, *arm.counts, *arm.endpoints))
        for cohort in self.cohorts:
            values.extend((*cohort.counts, *cohort.endpoints))
        return tuple(v.evidence for v in values)


_Grounded = (
    TextValue
    | PhaseValue
    | DesignValue
    | SettingValue
    | Intervention
    | CountValue
    | EndpointValue
    | BiomarkerFinding
)
