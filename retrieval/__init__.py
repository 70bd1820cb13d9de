"""Hybrid search, the extractive answerer and verified LLM-assisted answers."""

from sarcolit.retrieval.answer import REFUSAL, answer_question
from sarcolit.retrieval.conversation import Part, plan, resolve, split_parts
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
from sarcolit.retrieval.synthesis import synthesize
from sarcolit.retrieval.synthesis_answer import answer_planned, needs_planning
from sarcolit.retrieval.synthesis_query import SynthesisQuery, understand

__all__ = [
    "REFUSAL",
    "AnswerEvent",
    "Checked",
    "Done",
    "Draft",
    "Filters",
    "HybridIndex",
    "Part",
    "SynthesisQuery",
    "answer_planned",
    "answer_question",
    "answer_with_llm",
    "documents",
    "needs_planning",
    "open_index",
    "plan",
    "resolve",
    "sparse_dir",
    "split_parts",
    "stream_llm_answer",
    "synthesize",
    "understand",
]
