"""Which answerer answers a question, with which model, and what it falls back to.

The rules behind :meth:`Library.ask <sarcolit.Library.ask>` and the web app's
choice of answerer; the Library's methods delegate here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Literal

from sarcolit.core.errors import BackendUnavailable, ConfigError
from sarcolit.core.models import TrialRecord
from sarcolit.core.settings import Settings
from sarcolit.retrieval import (
    AnswerEvent,
    Done,
    Draft,
    Filters,
    answer_planned,
    answer_question,
    needs_planning,
    plan,
    stream_llm_answer,
)

if TYPE_CHECKING:
    import threading

    from langchain_core.language_models import BaseChatModel

    from sarcolit.library import Library

BUNDLED_NOTE = (
    "The bundled 270M model is not offered in the web app (its sentences rarely "
    "pass verification): extractive answer shown. Use an openai: or ollama: model."
)
Answerer = Literal["auto", "extractive", "llm"]
"""``auto``: the LLM when one is configured and reachable, else extractive."""


def model_for(library: Library, answerer: Answerer) -> tuple[BaseChatModel | None, str]:
    """Return the model ``answerer`` asks for, or None and why not.

    Raises:
        ConfigError: the llm answerer is asked for without a model, or its spec
            or package is wrong.
        BackendUnavailable: the llm answerer's model server does not answer.
    """
    if answerer == "extractive":
        return None, ""
    if answerer == "llm" and library.settings.llm.spec == "none":
        raise ConfigError(
            "the llm answerer needs a model: pass --llm SPEC or set "
            "SARCOLIT_LLM__SPEC (local:, openai:MODEL, ollama:MODEL)"
        )
    try:
        return library.chat_model(), ""
    except (BackendUnavailable, ConfigError) as exc:
        if answerer == "llm":
            raise
        spec = library.settings.llm.spec
        return None, f"LLM unavailable ({spec}: {exc}); extractive answer shown"


def web_answerer(spec: str) -> tuple[Answerer, str]:
    """Return the answerer the web app offers for the model ``spec``, and a note."""
    from sarcolit.core.llm import is_bundled

    if is_bundled(spec):
        return "extractive", BUNDLED_NOTE
    return "auto", ""


def settings_for(settings: Settings, k: int | None) -> Settings:
    """Return ``settings`` with ``k`` passages read per answer (unchanged if None)."""
    if k is None:
        return settings
    retrieval = settings.retrieval.model_copy(update={"answer_pool": k})
    return settings.model_copy(update={"retrieval": retrieval})


def ask_events(
    library: Library,
    question: str,
    *,
    k: int | None,
    filters: Filters | None,
    answerer: Answerer,
    history: Sequence[str],
    model_lock: threading.Lock,
    records: Callable[[], list[TrialRecord]],
) -> Iterator[AnswerEvent]:
    """Answer ``question`` as :meth:`Library.ask_events` describes.

    Args:
        library: The library whose index, settings and model answer.
        question: The question, as asked.
        k: Passages the answer reads (default: ``retrieval.answer_pool``).
        filters: Restrict the passages retrieved.
        answerer: ``auto``, ``extractive`` or ``llm``.
        history: Earlier questions of the conversation, oldest first.
        model_lock: Held while the model generates (one generation at a time).
        records: The stored trial records, for answers across trials.
    """
    settings = settings_for(library.settings, k)
    parts = plan(question, history, library.vocabulary)
    if needs_planning(question, parts):
        # Across trials, follow-ups and multi-part questions: every line is
        # a document's own sentence, cited, so no model is asked.
        found = records()
        answer = answer_planned(
            question, parts, library.index, settings, filters, found
        )
        yield Done(answer)
        return
    model, note = model_for(library, answerer)
    notes = (note,) if note else ()
    if model is not None:
        try:
            with model_lock:
                for event in stream_llm_answer(
                    question, library.index, settings, model, filters
                ):
                    if not isinstance(event, Draft):  # never show a draft
                        yield event
            return
        except (BackendUnavailable, ConfigError) as exc:
            if answerer == "llm":
                raise
            notes = (f"LLM failed ({exc}); extractive answer shown",)
    answer = answer_question(question, library.index, settings, filters)
    yield Done(answer.model_copy(update={"notes": (*answer.notes, *notes)}))
