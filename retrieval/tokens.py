"""The BM25 tokenizer shared by indexing, search and sentence scoring."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from sarcolit.core.models import Tags
from sarcolit.ingest.tags import tag_text

# Words, decimals, and hyphenated or slashed compounds (pd-l1, nct03277924).
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/.][a-z0-9]+)*")
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "reported",
        "showed",
        "shown",
        "study",
        "studies",
        "trial",
        "trials",
        "patients",
        "patient",
    ]
)
VERSION = 5  # bump when tokens change: saved BM25 indexes are rebuilt
_stemmer = Stemmer.Stemmer("english")

# Endpoint names and their abbreviations are one term, so "objective response rate"
# in a question matches "ORR" in a passage and the reverse.
_PHRASES = [
    (re.compile(pattern), abbreviation)
    for pattern, abbreviation in (
        (r"\b(?:objective|overall) response rates?\b", "orr"),
        (r"\bprogression[- ]free survival\b", "pfs"),
        (r"\boverall survival\b", "os"),
        (r"\bdisease control rates?\b", "dcr"),
        (r"\bclinical benefit(?: rates?)?\b", "cbr"),
        (r"\bduration of response\b", "dor"),
        (r"\btumou?r mutational burden\b", "tmb"),
        (r"\btertiary lymphoid structures?\b", "tls"),
        (r"\bsoft[- ]tissue sarcomas?\b", "sts"),
        (r"\bimmune checkpoint inhibitors?\b", "ici"),
        (r"\bmedian pfs\b", "mpfs"),
        (r"\bmpfs\b", "mpfs pfs"),
    )
]


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def tokenize(text: str) -> list[str]:
    """Lower-case, split, drop stopwords and stem; compounds also yield their parts.

    "PD-L1" gives ``pd-l1``, ``pd`` and ``l1``, so either spelling in a query matches.
    """
    text = text.lower()
    for pattern, abbreviation in _PHRASES:
        text = pattern.sub(abbreviation, text)
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        word = match.group().strip(".")
        if not word or word in _STOPWORDS:
            continue
        tokens.append(_stem(word))
        if any(sep in word for sep in "-/"):
            tokens.extend(
                _stem(part)
                for part in re.split(r"[-/]", word)
                if part and part not in _STOPWORDS
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


def query_tokens(query: str) -> list[str]:
    """Return a query's BM25 tokens: its words and its entities."""
    return tokenize(query) + entity_tokens(tag_text(query))
