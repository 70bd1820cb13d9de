"""The Evals tab: run the QA or extraction eval and show metrics, plots and items."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gradio as gr

from sarcolit.core.errors import SarcolitError
from sarcolit.evals import (
    EXTRACTION_GOLD,
    ITEMS,
    QA_GOLD,
    RESULTS,
    RunResults,
)
from sarcolit.ui.app_state import AppState
from sarcolit.ui.render import inert

QA = "QA: cited answers"
EXTRACTION = "Extraction: trial records"
KINDS = (QA, EXTRACTION)
EVAL_K = 8
"""The cut-off of the headline recall@k, as in ``sarcolit eval qa``."""

Row = list[str]
EvalUpdate = tuple[str, list[Row], list[Row], list[str], list[str]]
"""Status, metrics table, per-item table, plots, run files."""
Step = Callable[[int, int], None]


def _status(text: str) -> str:
    return f'<p class="status" id="eval-status">{inert(text)}</p>'


def _qa(state: AppState, gold: Path, out_dir: Path, step: Step) -> list[Row]:
    run = state.library.evaluate_qa(gold, k=EVAL_K, out_dir=out_dir, progress=step)
    return [
        [i.id, i.question, f"{i.scores.get('correct') or 0:g}", str(i.refused)]
        for i in run.items
    ]


def _extraction(state: AppState, gold: Path, out_dir: Path, step: Step) -> list[Row]:
    model = state.library.chat_model()
    run = state.library.evaluate_extraction(
        gold,
        extractor="rules" if model is None else "llm",
        out_dir=out_dir,
        progress=step,
    )
    return [
        [i.id, i.label, f"{i.scores.get('field_recall') or 0:.2f}", str(i.matched)]
        for i in run.items
    ]


def run_eval(
    state: AppState,
    kind: str,
    gold_file: str | None,
    session_hash: str | None,
    step: Step | None = None,
) -> EvalUpdate:
    """Run one eval on the bundled or uploaded gold file; return what to show."""
    qa = kind == QA
    gold = Path(gold_file) if gold_file else (QA_GOLD if qa else EXTRACTION_GOLD)
    out_dir = state.scratch(session_hash, "eval")
    try:
        runner = _qa if qa else _extraction
        items = runner(state, gold, out_dir, step or (lambda _done, _total: None))
    except SarcolitError as exc:
        return _status(f"The eval could not run: {exc}"), [], [], [], []
    results = RunResults.model_validate_json((out_dir / RESULTS).read_text())
    metrics = [
        [name, f"{value:.3f}"] for name, value in sorted(results.metrics.items())
    ]
    plots = [str(p) for p in sorted(out_dir.glob("*.png"))]
    files = [str(out_dir / name) for name in (RESULTS, ITEMS, "report.md")]
    done = f"{kind} eval on {gold.name}: {len(items)} items scored."
    return _status(done), metrics, items, plots, files


def build_evals(state: AppState) -> None:
    """Lay out the Evals tab and wire its events; call inside ``gr.Blocks``."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            kind = gr.Radio(list(KINDS), value=QA, label="Eval", elem_id="eval-kind")
            gold = gr.File(
                file_types=[".jsonl"],
                label="Gold file (JSONL; empty: the bundled gold set)",
                elem_id="eval-gold",
            )
            button = gr.Button("Run eval", variant="primary", elem_id="run-eval")
        with gr.Column(scale=3):
            status = gr.HTML(_status(""), js_on_load=None)
            metrics = gr.Dataframe(
                headers=["Metric", "Value"],
                interactive=False,
                label="Metrics",
                elem_id="eval-metrics",
            )
    plots = gr.Gallery(label="Plots", columns=3, height="auto", elem_id="eval-plots")
    items = gr.Dataframe(
        headers=["Id", "Item", "Score", "Refused / matched"],
        interactive=False,
        wrap=True,
        label="Per-item results",
        elem_id="eval-items",
    )
    files = gr.File(
        file_count="multiple",
        label="Run files: results.json, items.jsonl (per item), report.md",
        interactive=False,
        elem_id="eval-files",
    )

    def run(
        chosen: str,
        gold_file: str | None,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's idiom)
    ) -> EvalUpdate:
        def step(done: int, total: int) -> None:
            progress((done, total), desc="Scoring")

        return run_eval(state, chosen, gold_file, request.session_hash, step)

    button.click(run, [kind, gold], [status, metrics, items, plots, files])
