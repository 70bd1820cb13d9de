"""The Extraction tab: an evidence table from ingested or uploaded papers.

One row per trial, arm or cohort, values of several documents merged with a
source count and disagreements flagged; every value opens the sentence it was
read from (see :mod:`evidence_table`). Downloads: the records (JSONL), the long
CSV (one row per value) and the evidence table (wide CSV).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from sarcolit.core.errors import SarcolitError
from sarcolit.core.models import Document
from sarcolit.extraction import wide_rows
from sarcolit.ui.app_chat import document_choices
from sarcolit.ui.app_state import (
    UPLOAD_MAX_BYTES,
    UPLOAD_SUFFIXES,
    AppState,
    read_uploads,
    stage_uploads,
)
from sarcolit.ui.evidence_table import EMPTY_TABLE, table_html
from sarcolit.ui.render import inert

ExtractUpdate = tuple[str, str, object, object, object]
"""Status, evidence table, JSONL, long CSV and wide CSV downloads."""


@dataclass(frozen=True)
class ExtractTab:
    """The components the app refreshes after an ingest: the document picker."""

    documents: gr.Dropdown


def _status(text: str) -> str:
    return f'<p class="status" id="extract-status">{inert(text)}</p>'


def _gather(
    state: AppState,
    doc_ids: Sequence[str],
    every: bool,
    files: Sequence[str],
    folder: Path,
) -> tuple[list[Document], list[str]]:
    if every:
        documents = state.get_documents(None)
    else:
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
    every: bool,
    files: Sequence[str],
    session_hash: str | None,
) -> ExtractUpdate:
    """Extract the picked (or all) and uploaded papers; return the evidence table."""
    off = gr.DownloadButton(interactive=False)
    folder = state.scratch(session_hash, "extract")
    documents, problems = _gather(state, doc_ids, every, files, folder)
    if not documents:
        message = "; ".join(problems) or (
            "Pick ingested documents (or all of them) or upload papers."
        )
        return _status(message), EMPTY_TABLE, off, off, off
    try:
        report = state.extract(documents, folder)
    except SarcolitError as exc:
        raise gr.Error(str(exc)) from exc
    problems += [f"{Path(f.source).name}: {f.reason}" for f in report.failures]
    rows = wide_rows(report.records)
    by_id = {d.id: d for d in documents}
    disagreeing = sum(1 for r in rows for c in r.cells.values() if c.disagreement)
    message = (
        f"Papers read: {len(documents)}; trials: {len(report.records)}; "
        f"rows (trials, arms, cohorts): {len(rows)}; values where the sources "
        f"disagree: {disagreeing}."
    )
    if problems:
        message += " Failed: " + "; ".join(problems)
    return (
        _status(message),
        table_html(rows, by_id),
        gr.DownloadButton(value=str(folder / "records.jsonl"), interactive=True),
        gr.DownloadButton(value=str(folder / "records.csv"), interactive=True),
        gr.DownloadButton(value=str(folder / "evidence-table.csv"), interactive=True),
    )


def build_extract(state: AppState) -> ExtractTab:
    """Lay out the Extraction tab and wire its events; call inside ``gr.Blocks``."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=280):
            documents = gr.Dropdown(
                document_choices(state),
                multiselect=True,
                label="Ingested documents",
                elem_id="extract-documents",
            )
            every = gr.Checkbox(
                label="All ingested documents", value=False, elem_id="extract-all"
            )
            files = gr.File(
                file_count="multiple",
                file_types=list(UPLOAD_SUFFIXES),
                label="Or upload papers",
                elem_id="extract-upload",
                height=110,
            )
        with gr.Column(scale=1, min_width=200):
            button = gr.Button("Run extraction", variant="primary", elem_id="extract")
            jsonl = gr.DownloadButton(
                "Records (JSONL)", interactive=False, elem_id="download-jsonl"
            )
            csv = gr.DownloadButton(
                "Values (CSV)", interactive=False, elem_id="download-csv"
            )
            wide = gr.DownloadButton(
                "Evidence table (CSV)", interactive=False, elem_id="download-wide"
            )
    status = gr.HTML(_status(""), js_on_load=None)
    table = gr.HTML(EMPTY_TABLE, js_on_load=None, elem_id="evidence-box")

    def run(
        doc_ids: list[str] | None,
        uploads: list[str] | None,
        all_documents: bool,
        request: gr.Request,
    ) -> ExtractUpdate:
        return run_extraction(
            state, doc_ids or [], all_documents, uploads or [], request.session_hash
        )

    button.click(
        run,
        [documents, files, every],
        [status, table, jsonl, csv, wide],
        api_name="extract_uploads",
    )
    return ExtractTab(documents=documents)
