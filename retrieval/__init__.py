"""Hybrid search, the extractive answerer and verified LLM-assisted answers."""

from sarcolit.retrieval.answer import REFUSAL, answer_question
from sarcolit.retrieval.index import (
    Filters,
    HybridIndex,
    documents,
    open_index,
    sparse_dir,
)
from sarcolit.retrieval.llm_answer import (
    AnswerEvent,
    Checked,
    Done,
    Draft,
    answer_with_llm,
    stream_llm_answer,
)

__all__ = [
    "REFUSAL",
    "AnswerEvent",
    "Checked",
    "Done",
    "Draft",
    "Filters",
    "HybridIndex",
    "answer_question",
    "answer_with_llm",
    "documents",
    "open_index",
    "sparse_dir",
    "stream_llm_answer",
]
