"""Browser tests: Debian chromium drives the live app on loopback."""

from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import CORPUS
from tests.ui.conftest import ARTIFACTS, BrowserPage, LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SARC028_TEXT = CORPUS / "trials" / "sarc028-pembrolizumab.md"


def ask(ui: BrowserPage, question: str) -> float:
    """Type a question, press enter; return seconds until the answer shows."""
    box = ui.page.locator("#question textarea")
    box.fill(question)
    before = ui.page.locator("#chat .answer, #chat .refusal").count()
    started = time.perf_counter()
    box.press("Enter")
    ui.page.locator("#chat .answer, #chat .refusal").nth(before).wait_for()
    return time.perf_counter() - started


def test_first_visit_shows_the_chat_and_fetches_nothing_outside(
    ui: BrowserPage,
) -> None:
    page = ui.page
    assert page.title() == "sarcolit"
    for tab in ("Chat", "Library", "Extraction", "Evals"):
        assert page.get_by_role("tab", name=tab).is_visible()
    assert "Cited passages appear here" in page.locator("#sources").inner_text()
    ui.shot("01-first-visit")
    assert ui.outside == []


def test_answer_cites_a_source_whose_highlight_holds_the_number(
    ui: BrowserPage,
) -> None:
    page = ui.page
    seconds = ask(ui, "What was the objective response rate in SARC028?")
    answer = page.locator("#chat .answer").last
    assert "18%" in answer.inner_text()
    marker = answer.locator("a.cite").first
    assert marker.inner_text() == "[1]"
    source = page.locator("#src-1-1")
    source.wait_for()
    assert "18%" in source.locator("mark.quote").inner_text()
    assert "SARC028" in source.locator("mark.quote").inner_text()
    meta = source.locator(".source-meta").inner_text()
    assert meta.startswith("[1] ")
    assert len(meta) > 10
    assert source.locator(".ctx").count() == 2  # the paragraph around the quote
    marker.click()
    page.wait_for_function(
        "document.getElementById('src-1-1').classList.contains('flash')"
    )
    in_view = page.evaluate(
        "(() => { const r = document.getElementById('src-1-1')"
        ".getBoundingClientRect(); return r.top < window.innerHeight && "
        "r.bottom > 0; })()"
    )
    assert in_view
    ui.shot("02-cited-answer")
    print(f"enter -> first answer token: {seconds:.2f} s")
    assert seconds < 15


def test_unanswerable_question_is_refused_with_related_passages(
    ui: BrowserPage,
) -> None:
    page = ui.page
    ask(ui, "How much does a course of nivolumab cost in Norway?")
    refusal = page.locator("#chat .refusal").last
    assert "does not answer this question" in refusal.inner_text()
    assert page.locator("#chat a.cite").count() == 0
    sources = page.locator("#sources")
    assert "does not answer this question" in sources.inner_text()
    assert "Related passages" in sources.inner_text()
    ui.shot("03-refusal")


def test_conversation_exports_as_markdown_with_citations(
    ui: BrowserPage, tmp_path: Path
) -> None:
    ask(ui, "What was the objective response rate in SARC028?")
    export = ui.page.locator("#export")
    ui.page.wait_for_function("!document.querySelector('#export').disabled")
    with ui.page.expect_download() as download:
        export.click()
    saved = tmp_path / "conversation.md"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "## Q1: What was the objective response rate in SARC028?" in text
    assert "[1]" in text
    assert "ORR of 18%" in text


def test_uploaded_trial_text_appears_in_the_library(ui: BrowserPage) -> None:
    page = ui.page
    ui.open_tab("Library")
    page.locator("#library-upload input[type=file]").set_input_files(
        [str(SARC028_TEXT)]
    )
    # the name, not its text: the list may shorten it ("sarc028-pemb….md")
    page.locator(f"#library-upload [aria-label='{SARC028_TEXT.name}']").wait_for()
    page.locator("#ingest").click()
    page.locator("#ingest-status", has_text="Done").wait_for(timeout=90_000)
    outcomes = page.locator("#ingest-outcomes").inner_text()
    assert SARC028_TEXT.name in outcomes
    assert "added" in outcomes or "unchanged" in outcomes
    cells = page.locator("#library [data-testid^='cell-']")
    cells.filter(has_text="SARC028: pembrolizumab in advanced").first.wait_for()
    ui.shot("04-library-upload")


def run_extraction_of(page: Page, path: Path) -> None:
    """Upload one paper in the Extraction tab and wait for its evidence table."""
    page.get_by_role("tab", name="Extraction").click()
    page.locator("#extract-upload input[type=file]").set_input_files([str(path)])
    # the name, not its text: a narrow screen shortens the text to "sarc028-pemb….md"
    page.locator(f"#extract-upload [aria-label='{path.name}']").wait_for()
    page.locator("#extract").click()
    page.locator("#extract-status", has_text="Papers read: 1").wait_for()


def trial_row(page: Page, name: str) -> Locator:
    return page.locator("#evidence-table tr.level-trial").filter(has_text=name)


def test_extraction_cell_opens_its_evidence_and_the_csvs_download(
    ui: BrowserPage, tmp_path: Path
) -> None:
    page = ui.page
    run_extraction_of(page, SARC028_TEXT)
    row = trial_row(page, "SARC028")
    orr = row.locator("td[data-label='ORR'] button.ev-cell")
    assert orr.inner_text() == "18%"
    orr.click()
    evidence = page.locator("#evidence")
    evidence.wait_for()
    assert "SARC028 — ORR" in evidence.locator(".ev-head").inner_text()
    meta = evidence.locator(".source-meta").first.inner_text()
    assert "SARC028: pembrolizumab in advanced soft-tissue and bone sarcoma" in meta
    assert "Results" in meta  # the section the sentence is in
    assert "18%" in evidence.locator("mark.quote").first.inner_text()
    assert evidence.locator(".ctx").count() >= 2  # its paragraph around it
    cohorts = page.locator("#evidence-table tr.level-cohort")
    assert {
        "undifferentiated pleomorphic sarcoma",
        "dedifferentiated liposarcoma",
        "osteosarcoma",
    } <= {
        c.locator("th").inner_text().removeprefix("cohort ").strip()
        for c in cohorts.all()
    }
    ui.shot("05-extraction")
    orr.click()  # a second click closes the evidence
    assert page.locator("#evidence").count() == 0
    with page.expect_download() as download:
        page.locator("#download-wide").click()
    saved = tmp_path / "evidence-table.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    trial = next(r for r in rows if r["level"] == "trial")
    assert (trial["trial"], trial["orr"], trial["sources"]) == ("SARC028", "18%", "1")
    with page.expect_download() as download:
        page.locator("#download-csv").click()
    saved = tmp_path / "records.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8") as handle:
        values = list(csv.DictReader(handle))
    orr_rows = [r for r in values if r["endpoint"] == "ORR" and r["level"] == "trial"]
    assert [r["value"] for r in orr_rows] == ["18"]


@pytest.mark.parametrize("width", [1366, 400])
def test_evidence_table_fits_the_screen(
    browser: Browser, live_server: LiveServer, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(live_server.url + "/")
    run_extraction_of(page, SARC028_TEXT)
    table = page.locator("#evidence-table")
    sizes = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert sizes[0] <= sizes[1], f"the table scrolls sideways at {width} px: {sizes}"
    page_sizes = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert page_sizes[0] <= page_sizes[1]
    orr = trial_row(page, "SARC028").locator("td[data-label='ORR'] button.ev-cell")
    box = orr.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width
    orr.click()
    page.locator("#evidence mark.quote").wait_for()
    page.screenshot(
        path=str(live_server.shots / f"07-extraction-{width}px.png"), full_page=True
    )
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(
        live_server.shots / f"07-extraction-{width}px.png",
        ARTIFACTS / f"07-extraction-{width}px.png",
    )
    context.close()


def test_script_in_a_document_is_shown_as_text_not_run(ui: BrowserPage) -> None:
    page = ui.page
    page.locator("#filter-document input").click()
    page.get_by_role("option", name="Hostile rendering note on pembrolizumab").click()
    page.keyboard.press("Escape")
    ask(ui, "Which note names pembrolizumab to test rendering?")
    sources = page.locator("#sources")
    sources.locator(".source").first.wait_for()
    text = sources.inner_text()
    assert "<script>window.__pwned = 1</script>" in text
    assert page.evaluate("window.__pwned") is None
    assert sources.locator("script, img").count() == 0
    assert page.locator("#chat script, #chat img[src='x']").count() == 0
    ask(ui, "Which image calls out with a pixel and a link?")
    chat = page.locator("#chat")
    assert "![pixel](http://127.0.0.1:9/pixel.png)" in chat.inner_text()
    assert chat.locator("img[src*='127.0.0.1:9'], a[href*='127.0.0.1:9']").count() == 0
    assert sources.locator("img, a[href*='127.0.0.1:9']").count() == 0
    assert page.evaluate("window.__pwned") is None
    ui.shot("06-hostile-document")
    assert not [url for url in ui.outside if "127.0.0.1:9" in url]
