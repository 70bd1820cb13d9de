"""The schema an LLM fills: values cite a numbered sentence and an exact quote.

Models cannot count characters, so instead of offsets each value names the
source sentence and copies words from it; :func:`to_record` finds the quote
in that sentence, computes the span and builds a :class:`TrialRecord`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sarcolit.core.models import CountName, EndpointName, Level


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(_Draft):
    """Where a value is stated."""

    sentence: int = Field(ge=1, description="Number of the source sentence, e.g. 12.")
    quote: str = Field(
        min_length=1,
        description="Words copied exactly from that sentence that state the value, "
        "including its number.",
    )


class DraftLabel(Cited):
    """A short text value."""

    value: str = Field(description="The value, e.g. 'NCT03798106', 'SARC028', 'UPS'.")


class DraftPhase(Cited):
    """The trial phase."""

    value: str = Field(description="One of I, I/II, II, III, pilot.")


class DraftIntervention(Cited):
    """An agent given in the trial."""

    name: str = Field(description="Generic agent name in lower case, e.g. 'nivolumab'.")
    agent_class: str | None = Field(
        default=None,
        description="Agent class, e.g. 'anti-PD-1', 'anti-PD-L1', 'VEGFR TKI', "
        "'TCR-T', 'CAR-T', 'chemotherapy'.",
    )


class DraftCount(Cited):
    """A number of patients."""

    kind: CountName = Field(description="n_enrolled, n_treated or n_evaluable.")
    value: int = Field(description="Number of patients as written.")
    level: Level = Field(default="trial", description="trial, arm or cohort.")
    group: str = Field(default="", description="Arm or cohort name; '' for the trial.")


class DraftEndpoint(Cited):
    """One result of the trial itself (never a comparator's value)."""

    endpoint: EndpointName = Field(
        description="ORR, DCR, CBR, CR, pathologic_response, median_PFS, median_OS, "
        "median_DOR, PFS_rate, OS_rate or grade3plus_AE."
    )
    value: float = Field(description="The number exactly as written in the quote.")
    unit: str = Field(
        description="As written: %, months, weeks, days, years or patients."
    )
    timepoint: str | None = Field(
        default=None,
        description="For PFS_rate/OS_rate: the time point, e.g. '12 weeks'.",
    )
    level: Level = Field(default="trial", description="trial, arm or cohort.")
    group: str = Field(default="", description="Arm or cohort name; '' for the trial.")


class DraftTrial(_Draft):
    """One trial reported in the text."""

    nct_ids: list[DraftLabel] = Field(default_factory=list, description="NCT ids.")
    names: list[DraftLabel] = Field(default_factory=list, description="Trial names.")
    phase: list[DraftPhase] = Field(default_factory=list, description="Trial phase.")
    interventions: list[DraftIntervention] = Field(
        default_factory=list, description="Agents given."
    )
    subtypes: list[DraftLabel] = Field(default_factory=list, description="Subtypes.")
    counts: list[DraftCount] = Field(
        default_factory=list, description="Patient numbers."
    )
    endpoints: list[DraftEndpoint] = Field(
        default_factory=list, description="Results, each with its own quote."
    )


class DraftOutput(_Draft):
    """Every trial the numbered sentences report."""

    trials: list[DraftTrial] = Field(description="The trials; empty if none.")
