"""The BM25 tokenizer shared by indexing, search and sentence scoring."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from sarcolit.core.models import Tags
from sarcolit.core.text import STOPWORDS
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary
from sarcolit.ingest import tag_text

# Words, decimals, and hyphenated or slashed compounds (pd-l1, nct03277924).
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/.][a-z0-9]+)*")
VERSION = 6  # bump when tokens change: saved BM25 indexes are rebuilt
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def tokenize(text: str, vocabulary: Vocabulary | None = None) -> list[str]:
    """Lower-case, split, drop stopwords and stem; compounds also yield their parts.

    "PD-L1" gives ``pd-l1``, ``pd`` and ``l1``, so either spelling in a query
    matches; the vocabulary's search terms make "objective response rate" and
    "ORR" one token.
    """
    text = (vocabulary or default_vocabulary()).search_terms(text).lower()
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        word = match.group().strip(".")
        if not word or word in STOPWORDS:
            continue
        tokens.append(_stem(word))
        if any(sep in word for sep in "-/"):
            tokens.extend(
                _stem(part)
                for part in re.split(r"[-/]", word)
                if part and part not in STOPWORDS
            )
    return tokens


def entity_tokens(tags: Tags) -> list[str]:
    """Return one token per recognised entity, e.g. ``subtype:ASPS``.

    Indexed beside the words, they let "alveolar soft part sarcoma" in a query
    match "ASPS" in a passage, and "TQB2450" match "benmelstobart".
    """
    return [
        *(f"nct:{v}" for v in tags.nct_ids),
        *(f"trial:{v}" for v in tags.trials),
        *(f"agent:{v}" for v in tags.agents),
        *(f"class:{v}" for v in tags.agent_classes),
        *(f"subtype:{v}" for v in tags.subtypes),
    ]


def query_tokens(query: str, vocabulary: Vocabulary | None = None) -> list[str]:
    """Return a query's BM25 tokens: its words and its entities.

    A class or subtype also brings its narrower ones: "checkpoint inhibitors"
    looks for passages tagged anti-PD-1, "liposarcoma" for those tagged DDLPS.
    """
    vocab = vocabulary or default_vocabulary()
    tags = tag_text(query, vocab)
    narrower = [
        *(f"class:{n}" for c in tags.agent_classes for n in vocab.class_descendants(c)),
        *(f"subtype:{n}" for s in tags.subtypes for n in vocab.subtype_descendants(s)),
    ]
    return tokenize(query, vocab) + entity_tokens(tags) + list(dict.fromkeys(narrower))
