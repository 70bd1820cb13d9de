"""The Chat tab: cited answers beside their highlighted sources, with filters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import gradio as gr

from sarcolit.core.errors import SarcolitError
from sarcolit.core.models import Answer
from sarcolit.retrieval import Checked, Done, Filters
from sarcolit.ui.app_state import AppState
from sarcolit.ui.render import chat_messages, conversation_markdown, inert, sources_html

EXAMPLES = (
    "What was the objective response rate in SARC028?",
    "Which sarcoma subtypes respond best to immune checkpoint inhibitors?",
    "What is afamitresgene autoleucel and which antigen does it target?",
)
THINKING = '<span class="thinking">Searching the literature…</span>'

ChatUpdate = tuple[str, list[dict[str, str]], list[Answer], str, object]
"""Question box, chat messages, answers so far, sources panel, export button."""


@dataclass(frozen=True)
class ChatTab:
    """The components other tabs update: the document filter."""

    documents: gr.Dropdown


def document_choices(state: AppState) -> list[tuple[str, str]]:
    """Return (title, id) pairs of the ingested documents, for dropdowns."""
    return [(d.title or d.source, d.id) for d in state.documents()]


def answer_events(
    state: AppState, question: str, filters: Filters, history: Sequence[str] = ()
) -> Iterator[str | Answer]:
    """Yield the verified sentences so far (LLM only), then the final Answer.

    The library picks the answerer (the LLM when one is configured, reachable
    and offered here, else extractive). Only sentences that passed verification
    are ever shown: a model's raw text (a draft) never reaches the page.
    """
    checked: list[str] = []
    for event in state.ask_events(question, filters, history):
        if isinstance(event, Checked) and event.text:
            checked.append(event.text)
            yield " ".join(checked)
        elif isinstance(event, Done):
            yield event.answer


def _filters(
    state: AppState,
    subtypes: Sequence[str] | None,
    agents: Sequence[str] | None,
    documents: Sequence[str] | None,
) -> Filters:
    return state.library.filters(
        subtypes=subtypes or (), agents=agents or (), doc_ids=documents or ()
    )


def _pending(answers: list[Answer], question: str, text: str) -> list[dict[str, str]]:
    return [
        *chat_messages(answers),
        {"role": "user", "content": inert(question)},
        {"role": "assistant", "content": text},
    ]


def _export(
    state: AppState, answers: list[Answer], request: gr.Request | None
) -> object:
    folder = state.scratch(request.session_hash if request else None, "chat")
    path = folder / "conversation.md"
    path.write_text(conversation_markdown(answers), encoding="utf-8")
    return gr.DownloadButton(value=str(path), interactive=True)


def respond(
    state: AppState,
    question: str,
    answers: list[Answer],
    filters: Filters,
    request: gr.Request | None = None,
) -> Iterator[ChatUpdate]:
    """Answer ``question``: show it at once, stream the answer, then its sources."""
    question = question.strip()
    if not question:
        return
    skip = gr.skip()
    yield "", _pending(answers, question, THINKING), answers, skip, skip
    final: Answer | None = None
    history = [answer.question for answer in answers]
    try:
        for event in answer_events(state, question, filters, history):
            if isinstance(event, Answer):
                final = event
            else:
                text = f'<div class="answer streaming">{inert(event)}</div>'
                yield "", _pending(answers, question, text), answers, skip, skip
    except SarcolitError as exc:
        raise gr.Error(str(exc)) from exc
    if final is None:
        return
    done = [*answers, final]
    doc_ids = [c.doc_id for a in done for c in (*a.citations, *a.related)]
    panel = sources_html(done, state.texts_for(doc_ids))
    yield "", chat_messages(done), done, panel, _export(state, done, request)


def build_chat(state: AppState) -> ChatTab:
    """Lay out the Chat tab and wire its events; call inside ``gr.Blocks``."""
    vocabulary = state.library.vocabulary
    with gr.Row():
        subtype = gr.Dropdown(
            [(f"{vocabulary.subtype_label(c)} ({c})", c) for c in vocabulary.subtypes],
            multiselect=True,
            label="Subtype",
            elem_id="filter-subtype",
        )
        agent = gr.Dropdown(
            sorted(vocabulary.agents),
            multiselect=True,
            label="Agent",
            elem_id="filter-agent",
        )
        documents = gr.Dropdown(
            document_choices(state),
            multiselect=True,
            label="Document",
            elem_id="filter-document",
        )
    answers = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Answers",
                height=460,
                elem_id="chat",
                feedback_options=None,
                buttons=["copy", "copy_all"],
                placeholder="Ask a question about sarcoma immunotherapy. Every "
                "sentence of the answer cites its passage; click a [n] marker "
                "to see the source.",
            )
            question = gr.Textbox(
                label="Question",
                show_label=False,
                placeholder="e.g. What was the objective response rate in SARC028?",
                elem_id="question",
                submit_btn="Ask",
            )
            with gr.Row():
                clear = gr.Button("New conversation", size="sm", elem_id="clear")
                export = gr.DownloadButton(
                    "Export conversation (Markdown)",
                    size="sm",
                    interactive=False,
                    elem_id="export",
                )
            gr.Examples([[q] for q in EXAMPLES], inputs=[question])
        with gr.Column(scale=2, elem_id="sources-column"):
            sources = gr.HTML(sources_html([], {}), elem_id="sources", js_on_load=None)

    def ask(
        text: str,
        so_far: list[Answer],
        subtypes: list[str] | None,
        agents: list[str] | None,
        doc_ids: list[str] | None,
        request: gr.Request,
    ) -> Iterator[ChatUpdate]:
        try:
            filters = _filters(state, subtypes, agents, doc_ids)
        except SarcolitError as exc:
            raise gr.Error(str(exc)) from exc
        yield from respond(state, text, so_far, filters, request)

    def reset() -> tuple[list[dict[str, str]], list[Answer], str, object]:
        return [], [], sources_html([], {}), gr.DownloadButton(interactive=False)

    question.submit(
        ask,
        [question, answers, subtype, agent, documents],
        [question, chatbot, answers, sources, export],
    )
    clear.click(reset, None, [chatbot, answers, sources, export])
    # The chatbot's own trash button clears the whole conversation too.
    chatbot.clear(reset, None, [chatbot, answers, sources, export])
    return ChatTab(documents=documents)
