"""Browser tests of answers across trials, conversations and the LLM stream."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk

from tests.ui.conftest import BrowserPage
from tests.ui.test_app import ask

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COMPARE = "Compare afamitresgene autoleucel with letetresgene autoleucel."
UNVERIFIED = "The median PFS was 8.6 months"
# Records every text the chat ever shows, so a draft shown for an instant counts.
WATCH_CHAT = """
window.__seen = [];
new MutationObserver(function () {
  var chat = document.getElementById("chat");
  if (chat) { window.__seen.push(chat.innerText); }
}).observe(document.body, {subtree: true, childList: true, characterData: true});
"""


class SlowCitingModel(GenericFakeChatModel):
    """Streams, token by token, one verified sentence and one that is not."""

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        task = str(messages[-1].content).rsplit("Passages:\n", 1)[1]
        number = next(
            line.split("]")[0].lstrip("[")
            for line in task.splitlines()
            if "ORR of 18%" in line
        )
        reply = f"In SARC028 the ORR was 18% [{number}]. {UNVERIFIED} [{number}]."
        self.messages = iter([AIMessage(reply)])
        for chunk in super()._stream(messages, stop, run_manager, **kwargs):
            time.sleep(0.08)  # slow enough for a shown draft to be caught
            yield chunk


def test_comparison_answer_shows_the_regimens_side_by_side(ui: BrowserPage) -> None:
    page = ui.page
    ask(ui, COMPARE)
    answer = page.locator("#chat .answer").last
    labels = answer.locator(".line strong")
    assert labels.count() >= 2
    names = " ".join(labels.all_inner_texts())
    assert "afamitresgene autoleucel" in names
    assert "letetresgene autoleucel" in names
    table = page.locator("#chat .synthesis-table table").last
    header = table.locator("thead th").all_inner_texts()
    assert header[0] == "Endpoint"
    assert any("afamitresgene" in h for h in header[1:])
    assert any("letetresgene" in h for h in header[1:])
    rows = table.locator("tbody th[scope=row]").all_inner_texts()
    assert "ORR" in rows
    assert table.locator("a.cite").count() >= 1  # every value cites its sentence
    ui.shot("10-comparison-table")


def test_follow_up_is_read_with_the_earlier_question(ui: BrowserPage) -> None:
    page = ui.page
    ask(ui, "What response rate did afamitresgene autoleucel achieve?")
    ask(ui, "And what about its toxicity?")
    answer = page.locator("#chat .answer").last
    text = answer.inner_text()
    assert "afamitresgene autoleucel" in text
    assert "ytokine release syndrome" in text
    notes = " ".join(page.locator("#chat .note").all_inner_texts())
    assert "Read as: What about the toxicity (afamitresgene autoleucel)?" in notes
    ui.shot("11-follow-up")


def test_llm_stream_never_shows_an_unverified_sentence(ui: BrowserPage) -> None:
    library = ui.server.state.library
    library.use_model(SlowCitingModel(messages=iter([])))
    try:
        ui.page.evaluate(WATCH_CHAT)
        ask(ui, "What was the objective response rate in SARC028?")
        answer = ui.page.locator("#chat .answer").last
        assert "18%" in answer.inner_text()
        seen = ui.page.evaluate("window.__seen")
    finally:
        library.use_model(None)
    assert any("In SARC028 the ORR was 18%" in text for text in seen)
    assert not any("8.6" in text for text in seen)


def test_trash_button_clears_the_whole_conversation(ui: BrowserPage) -> None:
    page = ui.page
    ask(ui, "What response rate did afamitresgene autoleucel achieve?")
    page.locator("#chat button[aria-label='Clear']").click()
    page.wait_for_function(
        "!document.querySelector('#chat .answer') && "
        "document.getElementById('sources').innerText.includes('Cited passages')"
    )
    ask(ui, "And what about its toxicity?")
    # No earlier question to read it by: not read as about afami-cel.
    assert page.locator("#chat .answer, #chat .refusal").count() == 1
    assert "afamitresgene" not in page.locator("#chat").inner_text()


def test_marker_scrolls_the_sources_panel_and_not_the_page(ui: BrowserPage) -> None:
    page = ui.page
    ask(ui, COMPARE)
    markers = page.locator("#chat .answer a.cite")
    last = markers.nth(markers.count() - 1)
    target = (last.get_attribute("href") or "").lstrip("#")
    page_before = page.evaluate("window.scrollY")
    last.click()
    page.wait_for_function(
        f"document.getElementById('{target}').classList.contains('flash')"
    )
    assert page.evaluate("window.scrollY") == page_before
    inside = page.evaluate(
        f"""(() => {{
        const panel = document.getElementById('sources').getBoundingClientRect();
        const card = document.getElementById('{target}').getBoundingClientRect();
        return [card.top >= panel.top - 1, card.top < panel.bottom,
                document.getElementById('sources').scrollTop > 0];
        }})()"""
    )
    assert inside == [True, True, True]
    chat = page.locator("#chat").bounding_box()
    panel = page.locator("#sources").bounding_box()
    assert chat is not None
    assert panel is not None
    assert panel["x"] > chat["x"] + chat["width"] - 1  # beside the answers
    assert panel["y"] < chat["y"] + chat["height"]


def _luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_context_text_contrast_and_the_question_box_name(ui: BrowserPage) -> None:
    page = ui.page
    assert page.get_by_role("textbox", name="Question").is_visible()
    ask(ui, "What response rate did afamitresgene autoleucel achieve?")
    page.locator("#sources .ctx").first.wait_for()
    colours = page.evaluate(
        """(() => {
        const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const ctx = document.querySelector('#sources .ctx');
        let node = ctx, bg = 'rgba(0, 0, 0, 0)';
        while (node && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg)) {
          bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
        }
        return [rgb(getComputedStyle(ctx).color), rgb(bg)];
        })()"""
    )
    text, background = (_luminance(c) for c in colours)
    ratio = (max(text, background) + 0.05) / (min(text, background) + 0.05)
    assert ratio >= 4.5, colours
