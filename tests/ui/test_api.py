"""HTTP API tests: JSON in, the CLI's models out, against the live server."""

from __future__ import annotations

import httpx
import pytest

from sarcolit.core.models import Answer, SearchHit, TrialRecord
from tests.ui.conftest import LiveServer

pytestmark = pytest.mark.slow


def post(server: LiveServer, path: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(server.url + path, json=body, timeout=60)


def test_ask_returns_a_cited_answer(live_server: LiveServer) -> None:
    response = post(
        live_server,
        "/api/ask",
        {"question": "What was the objective response rate in SARC028?"},
    )
    assert response.status_code == 200
    answer = Answer.model_validate(response.json())
    assert not answer.refused
    assert "18%" in answer.answer
    assert answer.citations
    texts = live_server.state.texts_for([c.doc_id for c in answer.citations])
    for citation in answer.citations:
        text = texts[citation.doc_id]
        assert text is not None
        assert text[citation.start : citation.end] == citation.quote


def test_ask_refuses_what_the_literature_does_not_answer(
    live_server: LiveServer,
) -> None:
    response = post(
        live_server,
        "/api/ask",
        {"question": "How much does a course of nivolumab cost in Norway?"},
    )
    answer = Answer.model_validate(response.json())
    assert answer.refused
    assert answer.citations == ()


FIRST = "What response rate did afamitresgene autoleucel achieve?"
FOLLOW_UP = "And what about its toxicity?"


def test_ask_reads_a_follow_up_with_the_history_sent(live_server: LiveServer) -> None:
    response = post(
        live_server, "/api/ask", {"question": FOLLOW_UP, "history": [FIRST]}
    )
    assert response.status_code == 200
    answer = Answer.model_validate(response.json())
    assert answer.question == FOLLOW_UP
    assert any("afamitresgene autoleucel" in note for note in answer.notes)
    assert "ytokine release syndrome" in answer.answer


def test_ask_remembers_a_conversation_by_id(live_server: LiveServer) -> None:
    def turn(question: str, conversation: str) -> Answer:
        body: dict[str, object] = {
            "question": question,
            "conversation_id": conversation,
        }
        response = post(live_server, "/api/ask", body)
        assert response.status_code == 200
        return Answer.model_validate(response.json())

    turn(FIRST, "talk-1")
    followed = turn(FOLLOW_UP, "talk-1")
    fresh = turn(FOLLOW_UP, "talk-2")  # another conversation: nothing to read by
    assert "ytokine release syndrome" in followed.answer
    assert "afamitresgene" not in fresh.answer
    both = post(
        live_server,
        "/api/ask",
        {"question": FOLLOW_UP, "history": [FIRST], "conversation_id": "talk-1"},
    )
    assert both.status_code == 422


def test_search_applies_document_filter_and_k(live_server: LiveServer) -> None:
    body: dict[str, object] = {
        "query": "pembrolizumab",
        "doc_ids": [live_server.hostile_doc],
        "k": 3,
    }
    response = post(live_server, "/api/search", body)
    assert response.status_code == 200
    hits = [SearchHit.model_validate(row) for row in response.json()]
    assert 1 <= len(hits) <= 3
    assert {hit.chunk.doc_id for hit in hits} == {live_server.hostile_doc}


def test_unknown_subtype_is_a_400_that_says_why(live_server: LiveServer) -> None:
    response = post(
        live_server, "/api/search", {"query": "response", "subtypes": ["no-such"]}
    )
    assert response.status_code == 400
    assert "unknown subtype" in response.json()["detail"]


def test_empty_question_is_rejected(live_server: LiveServer) -> None:
    response = post(live_server, "/api/ask", {"question": ""})
    assert response.status_code == 422


def test_extract_returns_trial_records_with_grounded_evidence(
    live_server: LiveServer,
) -> None:
    review = next(
        d for d in live_server.state.documents() if d.title.startswith("Immuno")
    )
    response = post(live_server, "/api/extract", {"doc_ids": [review.id]})
    assert response.status_code == 200
    body = response.json()
    records = [TrialRecord.model_validate(r) for r in body["records"]]
    assert body["failures"] == []
    sarc028 = [r for r in records if any(n.value == "SARC028" for n in r.names)]
    assert sarc028
    assert 18.0 in [e.value for e in sarc028[0].endpoints if e.endpoint == "ORR"]
    text = live_server.state.texts_for([review.id])[review.id]
    assert text is not None
    for evidence in sarc028[0].evidence():
        assert text[evidence.start : evidence.end] == evidence.quote


def test_extract_unknown_document_is_a_404(live_server: LiveServer) -> None:
    response = post(live_server, "/api/extract", {"doc_ids": ["nope"]})
    assert response.status_code == 404
    assert "unknown" in response.json()["detail"]
    assert "nope" not in response.json()["detail"]


def test_documents_lists_the_library(live_server: LiveServer) -> None:
    response = httpx.get(live_server.url + "/api/documents", timeout=30)
    ids = {row["id"] for row in response.json()}
    assert live_server.hostile_doc in ids


def test_server_binds_loopback_unless_told_otherwise() -> None:
    import inspect

    from sarcolit.ui import app as web
    from sarcolit.ui.cli import serve

    assert web.DEFAULT_HOST == "127.0.0.1"
    assert inspect.signature(web.serve).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
