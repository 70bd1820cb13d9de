"""Markdown reports and PNG plots of an evaluation run.

Plots use matplotlib's object-oriented ``Figure`` without pyplot: no global
backend, no window, and nothing imported until a plot is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sarcolit.evals.runs import Change, RunDiff, RunResults, compare_runs

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if value > 1 and value.is_integer() else f"{value:.3f}"


def plot_metrics(results: RunResults, path: Path) -> Path:
    """Draw one bar per metric (scores in [0, 1]); return the PNG path."""
    names = sorted(n for n, v in results.metrics.items() if 0.0 <= v <= 1.0)
    fig, ax = _figure(8, 0.4 * len(names) + 1.5)
    ax.barh(names, [results.metrics[n] for n in names], color="#4c72b0")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("score")
    ax.set_title(f"{results.kind} eval: scores")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_curve(results: RunResults, path: Path) -> Path:
    """Draw evidence recall against k; return the PNG path."""
    ks = sorted(results.curve)
    fig, ax = _figure(6, 4)
    ax.plot(ks, [results.curve[k] for k in ks], marker="o")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("k (passages retrieved)")
    ax.set_ylabel("evidence recall@k")
    ax.set_title("Retrieval: evidence recall@k")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_breakdown(results: RunResults, path: Path, metrics: Sequence[str]) -> Path:
    """Draw grouped bars of ``metrics`` per breakdown group; return the PNG path."""
    groups = sorted(results.breakdown)
    width = 0.8 / max(len(metrics), 1)
    fig, ax = _figure(max(6.0, 0.7 * len(groups) + 2), 4.5)
    for i, metric in enumerate(metrics):
        values = [results.breakdown[g].get(metric, 0.0) for g in groups]
        ax.bar([x + i * width for x in range(len(groups))], values, width, label=metric)
    ax.set_xticks([x + width * (len(metrics) - 1) / 2 for x in range(len(groups))])
    ax.set_xticklabels(groups, rotation=40, ha="right")
    ax.set_ylim(0, 1.2)
    ax.legend(fontsize="small", loc="upper right", ncol=len(metrics))
    ax.set_title("Scores by group")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def metrics_table(results: RunResults) -> list[str]:
    """Return Markdown lines of a metric/value table."""
    lines = ["| metric | value |", "|---|---|"]
    lines += [f"| {name} | {_fmt(v)} |" for name, v in sorted(results.metrics.items())]
    return lines


def breakdown_table(results: RunResults) -> list[str]:
    """Return Markdown lines of the per-group table (empty if there are no groups)."""
    if not results.breakdown:
        return []
    columns = sorted({m for row in results.breakdown.values() for m in row})
    lines = ["| group | " + " | ".join(columns) + " |"]
    lines.append("|---" * (len(columns) + 1) + "|")
    for group, row in sorted(results.breakdown.items()):
        cells = [_fmt(row.get(c)) for c in columns]
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    return lines


def _change_line(change: Change) -> str:
    moves = ", ".join(
        f"{k} {_fmt(a)} -> {_fmt(b)}" for k, (a, b) in sorted(change.deltas.items())
    )
    label = f" ({change.label})" if change.label else ""
    return f"- `{change.id}`{label}: {moves}"


def diff_markdown(diff: RunDiff, old_dir: Path) -> str:
    """Render a comparison with an earlier run as Markdown."""
    lines = [
        f"## Compared with {old_dir}",
        "",
        "| metric | before | after |",
        "|---|---|---|",
    ]
    lines += [f"| {n} | {_fmt(a)} | {_fmt(b)} |" for n, (a, b) in diff.metrics.items()]
    lines += ["", f"### Better ({len(diff.better)})", ""]
    lines += [_change_line(c) for c in diff.better] or ["- none"]
    lines += ["", f"### Worse ({len(diff.worse)})", ""]
    lines += [_change_line(c) for c in diff.worse] or ["- none"]
    if diff.added or diff.removed:
        lines += ["", f"New items: {', '.join(diff.added) or 'none'}"]
        lines += [
            f"Items no longer in the gold set: {', '.join(diff.removed) or 'none'}"
        ]
    return "\n".join(lines) + "\n"


def write_report(
    run_dir: Path, results: RunResults, details: Sequence[str], plots: Sequence[Path]
) -> Path:
    """Write ``report.md``: settings, metrics, breakdown, plots and ``details``."""
    lines = [f"# sarcolit {results.kind} eval", "", f"Run at {results.created}.", ""]
    lines += [f"- {key}: `{value}`" for key, value in sorted(results.settings.items())]
    lines += ["", "## Scores", "", *metrics_table(results)]
    if results.breakdown:
        lines += ["", "## Breakdown", "", *breakdown_table(results)]
    lines += ["", "## Plots", ""]
    lines += [f"![{p.stem}]({p.name})" for p in plots]
    lines += ["", *details]
    path = run_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_comparison(old_dir: Path, run_dir: Path) -> RunDiff:
    """Compare ``run_dir`` with an earlier run; write compare.md, extend report.md."""
    diff = compare_runs(old_dir, run_dir)
    text = diff_markdown(diff, old_dir)
    (run_dir / "compare.md").write_text(text, encoding="utf-8")
    report = run_dir / "report.md"
    if report.is_file():
        report.write_text(
            report.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8"
        )
    return diff
