"""The Library tab: the ingested documents, and upload of new ones."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from gradio.events import Dependency

from sarcolit.core.errors import SarcolitError
from sarcolit.ingest import FileOutcome
from sarcolit.ui.app_state import (
    UPLOAD_MAX_BYTES,
    UPLOAD_SUFFIXES,
    AppState,
    stage_uploads,
)
from sarcolit.ui.render import inert

LIBRARY_COLUMNS = ["Title", "Kind", "Chunks", "Subtypes", "Agents", "Trials", "File"]
OUTCOME_COLUMNS = ["File", "Status", "Chunks", "Reason"]

Row = list[str | int]
IngestUpdate = tuple[str, list[Row], list[Row]]
"""Status line, per-file outcomes, library table."""


@dataclass(frozen=True)
class LibraryTab:
    """The library table and the ingest event, for the app to refresh pickers."""

    table: gr.Dataframe
    ingested: Dependency


def library_rows(state: AppState) -> list[Row]:
    """Return one table row per ingested document."""
    vocabulary = state.library.vocabulary
    return [
        [
            row.info.title,
            row.info.kind,
            row.info.n_chunks,
            ", ".join(vocabulary.subtype_label(s) for s in row.subtypes),
            ", ".join(row.agents),
            ", ".join(row.trials),
            Path(row.info.source).name,
        ]
        for row in state.document_rows()
    ]


def _status(text: str) -> str:
    return f'<p class="status" id="ingest-status">{inert(text)}</p>'


def _max_bytes(state: AppState) -> int:
    return min(UPLOAD_MAX_BYTES, state.settings.ingest.max_bytes)


def ingest_uploads(
    state: AppState, files: Sequence[str] | None, session_hash: str | None
) -> Iterator[IngestUpdate]:
    """Stage the uploads in a per-session folder and ingest them one by one."""
    if not files:
        yield _status("Choose files to upload first."), [], library_rows(state)
        return
    folder = state.scratch(session_hash, "upload")
    outcomes: list[Row] = []
    staged: list[Path] = []
    for name, path, reason in stage_uploads(files, folder, _max_bytes(state)):
        if path is None:
            outcomes.append([name, "refused", 0, reason])
        else:
            staged.append(path)
    for number, path in enumerate(staged, start=1):
        yield (
            _status(f"Ingesting {number}/{len(staged)}: {path.name}"),
            outcomes,
            library_rows(state),
        )

        def record(outcome: FileOutcome) -> None:
            outcomes.append(
                [outcome.path.name, outcome.status, outcome.chunks, outcome.reason]
            )

        try:
            state.ingest([path], record)
        except SarcolitError as exc:
            outcomes.append([path.name, "failed", 0, str(exc)])
    failed = sum(1 for row in outcomes if row[1] in ("failed", "refused"))
    done = f"Done: {len(outcomes) - failed} ingested, {failed} failed or refused."
    yield _status(done), outcomes, library_rows(state)


def build_library(state: AppState) -> LibraryTab:
    """Lay out the Library tab and wire its events; call inside ``gr.Blocks``."""
    table = gr.Dataframe(
        library_rows(state),
        headers=LIBRARY_COLUMNS,
        datatype=["str", "str", "number", "str", "str", "str", "str"],
        interactive=False,
        wrap=True,
        label="Ingested documents",
        elem_id="library",
    )
    limit = _max_bytes(state) // 1_000_000
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            files = gr.File(
                file_count="multiple",
                file_types=list(UPLOAD_SUFFIXES),
                label=f"Upload papers ({', '.join(UPLOAD_SUFFIXES)}; "
                f"up to {limit} MB each)",
                elem_id="library-upload",
            )
            button = gr.Button("Ingest", variant="primary", elem_id="ingest")
        with gr.Column(scale=3):
            status = gr.HTML(_status(""), elem_id="ingest-status-box", js_on_load=None)
            outcomes = gr.Dataframe(
                headers=OUTCOME_COLUMNS,
                datatype=["str", "str", "number", "str"],
                interactive=False,
                wrap=True,
                label="Files",
                elem_id="ingest-outcomes",
            )

    def run(files: list[str] | None, request: gr.Request) -> Iterator[IngestUpdate]:
        yield from ingest_uploads(state, files, request.session_hash)

    ingested = button.click(
        run, [files], [status, outcomes, table], api_name="ingest_uploads"
    )
    return LibraryTab(table=table, ingested=ingested)
