"""Trial records: every value the extraction reads, with the evidence it rests on.

``ValidationInfo`` carries the document texts that evidence is checked against
(``model_validate(..., context=...)``). Imported through :mod:`sarcolit.core.models`.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from sarcolit.core._models_documents import Frozen, Quote

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


class TextValue(Frozen):
    """A short text value (identifier, name, subtype, target) and its evidence."""

    value: str = Field(description="The normalised value, e.g. 'NCT03798106', 'UPS'.")
    evidence: Evidence = Field(description="Where the value is stated.")


class PhaseValue(Frozen):
    """The trial phase and its evidence."""

    value: PhaseName = Field(description="Trial phase; 'Ib' is I, '1/2' is I/II.")
    evidence: Evidence = Field(description="Where the phase is stated.")


class DesignValue(Frozen):
    """A design feature and its evidence."""

    value: DesignName = Field(description="Design feature of the trial.")
    evidence: Evidence = Field(description="Where the design is stated.")


class SettingValue(Frozen):
    """A treatment setting and its evidence."""

    value: SettingName = Field(description="Treatment setting of the trial.")
    evidence: Evidence = Field(description="Where the setting is stated.")


class Intervention(Frozen):
    """A normalised agent (synonyms resolved) with its class."""

    name: str = Field(description="Canonical agent name, e.g. 'pembrolizumab'.")
    agent_class: AgentClass | None = Field(
        default=None,
        description="Class of the agent in the vocabulary, e.g. 'anti-PD-1', "
        "'VEGFR TKI', 'TCR-T'.",
    )
    evidence: Evidence = Field(description="Where the agent is named.")


class CountValue(Frozen):
    """A number of patients: enrolled, treated or evaluable, kept apart."""

    kind: CountName = Field(description="Which count: enrolled, treated or evaluable.")
    value: int = Field(description="Number of patients; must be positive.")
    evidence: Evidence = Field(description="Where the count is stated.")

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.value <= 0:
            raise ValueError(f"implausible {self.kind} {self.value}: n must be > 0")
        return self


class EndpointValue(Frozen):
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


class BiomarkerFinding(Frozen):
    """A biomarker's association with outcome and its direction."""

    marker: str = Field(description="PD-L1, TMB, TLS, CD8, CD20 B cells, IDO ...")
    direction: Literal["positive", "negative", "none"] = Field(
        description="'positive': more marker, better outcome; 'none': no association."
    )
    outcome: str = Field(default="", description="The outcome, e.g. 'ORR', 'PFS'.")
    evidence: Evidence = Field(description="The sentence stating the finding.")


class ArmResult(Frozen):
    """Results of one arm, e.g. nivolumab alone vs nivolumab + ipilimumab."""

    name: str = Field(description="The arm's name, its agents joined by ' + '.")
    interventions: tuple[Intervention, ...] = ()
    counts: tuple[CountValue, ...] = ()
    endpoints: tuple[EndpointValue, ...] = ()


class CohortResult(Frozen):
    """Results of one cohort of a trial, e.g. the UPS cohort of SARC028."""

    name: str = Field(description="The cohort's name, e.g. 'UPS'.")
    subtype: str | None = Field(default=None, description="Canonical sarcoma subtype.")
    counts: tuple[CountValue, ...] = ()
    endpoints: tuple[EndpointValue, ...] = ()


class Conflict(Frozen):
    """Sources that disagree on one value; all values are kept."""

    level: Level
    group: str = ""
    endpoint: str
    timepoint: str | None = None
    values: tuple[float, ...]
    doc_ids: tuple[str, ...]


class TrialRecord(Frozen):
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
