"""A user vocabulary named in the settings reaches every stage through the Library."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sarcolit.core.errors import ConfigError
from sarcolit.core.settings import Settings, StoreSettings
from sarcolit.core.store import chroma_client
from sarcolit.library import Library
from sarcolit.retrieval import open_index

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

VOCABULARY = """
[classes.anti-TIGIT]
label = "anti-TIGIT"
parents = ["checkpoint inhibitor"]
phrases = ["TIGIT inhibitor"]

[agents.tiragolumab]
classes = ["anti-TIGIT"]
synonyms = ["MTIG7192A"]

[subtypes.IS]
label = "intimal sarcoma"
names = ["intimal sarcoma"]
parents = ["STS"]
"""
PAPER = """Tiragolumab in intimal sarcoma

Methods

In this phase II trial, Twenty-one patients with intimal sarcoma received
MTIG7192A.

Results

The ORR was 14% and the median PFS was 5.1 months.
"""


def _library(tmp_path: Path, embedder: Embeddings, vocabulary: Path | None) -> Library:
    settings = Settings(
        store=StoreSettings(path=tmp_path / "data"), vocabulary=vocabulary
    )
    client = chroma_client(settings.store)
    return Library(settings, client, embedder, open_index(client, settings, embedder))


def test_a_user_vocabulary_reaches_every_stage(
    tmp_path: Path, embedder: Embeddings
) -> None:
    mine = tmp_path / "vocabulary.toml"
    mine.write_text(textwrap.dedent(VOCABULARY), encoding="utf-8")
    paper = tmp_path / "tiragolumab.txt"
    paper.write_text(PAPER, encoding="utf-8")
    library = _library(tmp_path, embedder, mine)
    assert library.vocabulary.sources[-1] == mine.resolve()
    report = library.ingest([paper])
    assert not report.failed

    filters = library.filters(subtypes=["intimal sarcoma"], agents=["MTIG7192A"])
    assert (filters.subtypes, filters.agents) == (("IS",), ("tiragolumab",))
    hits = library.search("TIGIT inhibitors", filters=filters)
    assert hits
    # A passage may name the agent itself or hold it from its document's
    # context (the title names it; "The ORR was 14%" does not).
    top = hits[0].chunk
    assert "tiragolumab" in {*top.tags.agents, *top.context.agents}
    assert "anti-TIGIT" in {*top.tags.agent_classes, *top.context.agent_classes}

    (record,) = library.records()
    assert [(i.name, i.agent_class) for i in record.interventions] == [
        ("tiragolumab", "anti-TIGIT")
    ]
    assert [s.value for s in record.subtypes] == ["IS"]
    assert [(c.kind, c.value) for c in record.counts] == [("n_treated", 21)]


def test_without_it_the_names_are_unknown(tmp_path: Path, embedder: Embeddings) -> None:
    library = _library(tmp_path, embedder, None)
    with pytest.raises(ConfigError, match="unknown subtype 'intimal sarcoma'"):
        library.filters(subtypes=["intimal sarcoma"])
