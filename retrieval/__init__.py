"""Hybrid search over the store and the extractive, cited answerer."""

from retrieval.answer import REFUSAL, answer_question
from retrieval.index import Filters, HybridIndex, documents, open_index, sparse_dir

__all__ = [
    "REFUSAL",
    "Filters",
    "HybridIndex",
    "answer_question",
    "documents",
    "open_index",
    "sparse_dir",
]
