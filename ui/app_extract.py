"""The Extraction tab: trial records from ingested or uploaded papers, with evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from sarcolit.core.errors import SarcolitError
from sarcolit.core.models import Document
from sarcolit.extraction import csv_rows
from sarcolit.ui.app_chat import document_choices
from sarcolit.ui.app_state import (
    UPLOAD_MAX_BYTES,
    UPLOAD_SUFFIXES,
    AppState,
    read_uploads,
    stage_uploads,
)
from sarcolit.ui.render import context_html, inert

TABLE_COLUMNS = [
    "#", "Trial", "Names", "Level", "Group", "Endpoint", "Value", "Unit",
    "Time point", "Conflict",
]  # fmt: skip
_KEYS = (
    "trial_key", "names", "level", "group", "endpoint", "value", "unit",
    "timepoint", "conflict",
)  # fmt: skip
EVIDENCE_HINT = '<p class="empty">Select a row to see its evidence in context.</p>'

Record = dict[str, str]
ExtractUpdate = tuple[str, list[list[str]], list[Record], str, object, object]
"""Status, table, rows, evidence panel, JSONL download, CSV download."""


@dataclass(frozen=True)
class ExtractTab:
    """The components the app refreshes after an ingest: the document picker."""

    documents: gr.Dropdown


def table_rows(records: Sequence[Record]) -> list[list[str]]:
    """Return the visible table: a row number and the main columns of each row."""
    return [[str(n), *(row[k] for k in _KEYS)] for n, row in enumerate(records)]


def evidence_html(state: AppState, row: Record) -> str:
    """Return a row's value and its evidence quote highlighted in its paragraph."""
    start, end = int(row["start"]), int(row["end"])
    text = state.texts_for([row["doc_id"]])[row["doc_id"]]
    if text is not None and text[start:end] == row["quote"]:
        body = context_html(text, start, end)
    else:
        body = f'<mark class="quote">{inert(row["quote"])}</mark>'
    value = " ".join(v for v in (row["value"], row["unit"], row["timepoint"]) if v)
    group = f" ({row['level']} {row['group']})" if row["group"] else ""
    head = f"{row['trial_key']}{group}: {row['endpoint']} = {value}"
    return (
        f'<div class="evidence" id="evidence"><div class="source-meta">'
        f'{inert(head)}</div><p class="source-text">{body}</p></div>'
    )


def _status(text: str) -> str:
    return f'<p class="status" id="extract-status">{inert(text)}</p>'


def _gather(
    state: AppState, doc_ids: Sequence[str], files: Sequence[str], folder: Path
) -> tuple[list[Document], list[str]]:
    documents = state.get_documents(doc_ids) if doc_ids else []
    problems: list[str] = []
    staged: list[Path] = []
    uploads = folder / "uploads"
    uploads.mkdir()
    limit = min(UPLOAD_MAX_BYTES, state.settings.ingest.max_bytes)
    for name, path, reason in stage_uploads(files, uploads, limit):
        if path is None:
            problems.append(f"{name}: {reason}")
        else:
            staged.append(path)
    read, failures = read_uploads(staged, limit)
    problems += [f"{name}: {reason}" for name, reason in failures]
    return documents + read, problems


def run_extraction(
    state: AppState,
    doc_ids: Sequence[str],
    files: Sequence[str],
    session_hash: str | None,
) -> ExtractUpdate:
    """Extract the picked and uploaded papers; return the table and downloads."""
    off = gr.DownloadButton(interactive=False)
    folder = state.scratch(session_hash, "extract")
    documents, problems = _gather(state, doc_ids, files, folder)
    if not documents:
        message = "; ".join(problems) or "Pick ingested documents or upload papers."
        return _status(message), [], [], EVIDENCE_HINT, off, off
    try:
        report = state.extract(documents, folder)
    except SarcolitError as exc:
        raise gr.Error(str(exc)) from exc
    problems += [f"{Path(f.source).name}: {f.reason}" for f in report.failures]
    records = list(csv_rows(report.records))
    message = (
        f"Papers read: {len(documents)}; trial records: {len(report.records)}; "
        f"values: {len(records)}."
    )
    if problems:
        message += " Failed: " + "; ".join(problems)
    return (
        _status(message),
        table_rows(records),
        records,
        EVIDENCE_HINT,
        gr.DownloadButton(value=str(folder / "records.jsonl"), interactive=True),
        gr.DownloadButton(value=str(folder / "records.csv"), interactive=True),
    )


def build_extract(state: AppState) -> ExtractTab:
    """Lay out the Extraction tab and wire its events; call inside ``gr.Blocks``."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            documents = gr.Dropdown(
                document_choices(state),
                multiselect=True,
                label="Ingested documents",
                elem_id="extract-documents",
            )
            files = gr.File(
                file_count="multiple",
                file_types=list(UPLOAD_SUFFIXES),
                label="Or upload papers",
                elem_id="extract-upload",
            )
        with gr.Column(scale=1):
            button = gr.Button("Run extraction", variant="primary", elem_id="extract")
            jsonl = gr.DownloadButton(
                "Download JSONL", interactive=False, elem_id="download-jsonl"
            )
            csv = gr.DownloadButton(
                "Download CSV", interactive=False, elem_id="download-csv"
            )
    status = gr.HTML(_status(""), js_on_load=None)
    records = gr.State([])
    table = gr.Dataframe(
        headers=TABLE_COLUMNS,
        interactive=False,
        wrap=True,
        label="Records: one row per trial, arm or cohort and value",
        elem_id="records",
    )
    evidence = gr.HTML(EVIDENCE_HINT, js_on_load=None, elem_id="evidence-box")

    def run(
        doc_ids: list[str] | None, uploads: list[str] | None, request: gr.Request
    ) -> ExtractUpdate:
        return run_extraction(state, doc_ids or [], uploads or [], request.session_hash)

    def show(rows: list[Record], event: gr.SelectData) -> str:
        picked = event.row_value[0] if event.row_value else None
        if picked is None or not str(picked).isdigit() or int(picked) >= len(rows):
            return EVIDENCE_HINT
        return evidence_html(state, rows[int(picked)])

    button.click(
        run,
        [documents, files],
        [status, table, records, evidence, jsonl, csv],
        api_name="extract_uploads",
    )
    table.select(show, [records], [evidence])
    return ExtractTab(documents=documents)
