"""Schema validation: good and bad values, evidence grounded in the text."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sarcolit.core.models import (
    EVIDENCE_TEXTS,
    CountValue,
    EndpointValue,
    Evidence,
    TrialRecord,
)

TEXT = "The ORR was 30.4% and the median PFS was 7.7 months."


def evidence(quote: str = "The ORR was 30.4%", start: int = 0) -> Evidence:
    return Evidence(doc_id="d", start=start, end=start + len(quote), quote=quote)


def endpoint(**changes: object) -> EndpointValue:
    data: dict[str, object] = {
        "endpoint": "ORR",
        "value": 30.4,
        "unit": "%",
        "original_value": 30.4,
        "original_unit": "%",
        "evidence": evidence(),
    }
    return EndpointValue.model_validate(data | changes)


def test_good_values_validate() -> None:
    assert endpoint().value == 30.4
    median = endpoint(
        endpoint="median_PFS", value=7.7, unit="months", original_value=7.7
    )
    assert median.unit == "months"
    assert CountValue(kind="n_enrolled", value=30, evidence=evidence()).value == 30


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"value": 130.0}, "between 0 and 100"),
        ({"endpoint": "median_OS", "value": 300.0, "unit": "months"}, "240"),
        ({"endpoint": "median_OS", "value": 30.0, "unit": "%"}, "median must be"),
        ({"endpoint": "OS_rate", "value": 80.0}, "needs a time point"),
        ({"ci_low": 31.0, "ci_high": 40.0}, "confidence interval"),
    ],
)
def test_implausible_values_are_rejected_with_a_reason(
    changes: dict[str, object], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        endpoint(**changes)


@pytest.mark.parametrize("n", [0, -3])
def test_non_positive_counts_are_rejected(n: int) -> None:
    with pytest.raises(ValidationError, match="must be > 0"):
        CountValue(kind="n_evaluable", value=n, evidence=evidence())


def test_evidence_must_be_the_text_at_its_span() -> None:
    good = {"doc_id": "d", "start": 0, "end": 17, "quote": "The ORR was 30.4%"}
    checked = Evidence.model_validate(good, context={EVIDENCE_TEXTS: {"d": TEXT}})
    assert checked.quote == TEXT[0:17]
    moved = good | {"start": 1, "end": 18}
    with pytest.raises(ValidationError, match="is not the text at"):
        Evidence.model_validate(moved, context={EVIDENCE_TEXTS: {"d": TEXT}})
    with pytest.raises(ValidationError, match="does not match span"):
        Evidence.model_validate(good | {"end": 12})


def test_record_rejects_an_invented_quote_through_its_values() -> None:
    invented = evidence("The ORR was 45.0%").model_dump()
    data = {"endpoints": [endpoint().model_dump() | {"evidence": invented}]}
    with pytest.raises(ValidationError, match="is not the text at"):
        TrialRecord.model_validate(data, context={EVIDENCE_TEXTS: {"d": TEXT}})


def test_records_are_frozen() -> None:
    record = TrialRecord(endpoints=(endpoint(),))
    with pytest.raises(ValidationError):
        record.key = "x"  # type: ignore[misc]
    assert record.evidence()[0].quote == "The ORR was 30.4%"
