"""Small hand-made documents shared by the eval tests."""

from __future__ import annotations

import pytest

from sarcolit.core.models import Document

SARC028 = (
    "Checkpoint inhibitors\n\n"
    "In the phase II SARC028 trial, 84 STS patients treated with pembrolizumab had "
    "an ORR of 18%. The best activity was observed in UPS of 40%. "
    "Nivolumab alone showed a 12% response rate.\n\n"
    "Cell therapy\n\n"
    "Afami-cel achieved an ORR of 43.2% in synovial sarcoma."
)


@pytest.fixture
def review() -> Document:
    return Document(
        id="rev1", source="corpus/reviews/mini.txt", title="Mini review", text=SARC028
    )


@pytest.fixture
def corpus(review: Document) -> dict[str, Document]:
    return {"reviews/mini.txt": review}
