from __future__ import annotations

import pytest

from sarcolit.core.errors import ConfigError
from sarcolit.retrieval import Filters, HybridIndex


def test_query_with_ascii_hyphen_finds_text_written_with_a_minus_sign(
    review_index: HybridIndex,
) -> None:
    # The review writes PD-L1 with U+2212; normalisation makes both spellings one.
    hits = review_index.search("PD-L1 expression on tumor cells", k=5)

    assert hits
    assert any("PD-L1" in hit.chunk.text for hit in hits)
    assert all("\u2212" not in hit.chunk.text for hit in hits)


def test_non_breaking_space_is_normalised(review_index: HybridIndex) -> None:
    hits = review_index.search("Liu et al. pembrolizumab monotherapy real-world", k=5)

    assert any("Liu et al." in hit.chunk.text for hit in hits)


def test_hits_are_ranked_with_spans_that_match_the_document(
    review_index: HybridIndex,
) -> None:
    hits = review_index.search("SARC028 pembrolizumab objective response rate", k=8)
    docs = {d.id: d for d in review_index.get_documents()}

    assert "84 STS patients treated with pembrolizumab" in hits[0].chunk.text
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        text = docs[hit.chunk.doc_id].text
        assert text[hit.chunk.start : hit.chunk.end] == hit.chunk.text
        assert hit.title == "Immunotherapy for advanced sarcoma: a review"


def test_both_retrievers_contribute(review_index: HybridIndex) -> None:
    hits = review_index.search("NCT03798106 durvalumab pazopanib", k=8)

    assert hits[0].dense_rank is not None
    assert hits[0].bm25_rank == 1
    assert "NCT03798106" in hits[0].chunk.text


def test_subtype_filter_keeps_only_tagged_chunks(review_index: HybridIndex) -> None:
    hits = review_index.search(
        "objective response rate",
        k=8,
        filters=Filters.parse(subtypes=["alveolar soft part sarcoma"]),
    )

    assert hits
    assert all("ASPS" in hit.chunk.tags.subtypes for hit in hits)


def test_agent_filter_resolves_synonyms(review_index: HybridIndex) -> None:
    hits = review_index.search(
        "response", k=5, filters=Filters.parse(agents=["TQB2450"])
    )

    assert hits
    assert all("benmelstobart" in hit.chunk.tags.agents for hit in hits)


def test_nct_and_document_filters(review_index: HybridIndex) -> None:
    doc_id = review_index.documents()[0].id
    by_nct = review_index.search(
        "trial", k=5, filters=Filters.parse(nct_ids=["nct03277924"])
    )
    by_doc = review_index.search("trial", k=5, filters=Filters.parse(doc_ids=[doc_id]))
    none = review_index.search(
        "trial", k=5, filters=Filters.parse(doc_ids=["no-such-doc"])
    )

    assert by_nct
    assert all("NCT03277924" in h.chunk.tags.nct_ids for h in by_nct)
    assert by_doc
    assert none == []


def test_unknown_filter_value_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown subtype 'banana'"):
        Filters.parse(subtypes=["banana"])
