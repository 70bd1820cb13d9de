"""Tables of a spine benchmark result: rich tables for the terminal, Markdown for
the README (``python benchmarks/bench_report.py benchmarks/results/spine.json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.table import Table

Row = list[str]


def _get(result: object, *path: str | int) -> object:
    for key in path:
        if isinstance(key, int):
            assert isinstance(result, list), path
            result = result[key]
        else:
            assert isinstance(result, dict), path
            result = result[key]
    return result


def _f(result: object, *path: str | int) -> float:
    return float(str(_get(result, *path)))


def embedder_rows(result: dict[str, object]) -> tuple[Row, list[Row]]:
    """Return the header and rows of the embedder comparison."""
    rows = _get(result, "embedders", "rows")
    assert isinstance(rows, dict)
    header = [
        "embedder",
        "chunks/s",
        "speed vs torch",
        "min cos to torch",
        "recall@8 hybrid",
        "MRR hybrid",
        "recall@8 dense",
        "MRR dense",
    ]
    body = [
        [
            spec,
            f"{_f(row, 'chunks_per_s'):.1f}",
            f"{_f(row, 'speed_vs_torch'):.2f}",
            f"{_f(row, 'min_cosine_to_torch'):.4f}",
            f"{_f(row, 'hybrid_recall@8'):.3f}",
            f"{_f(row, 'hybrid_mrr'):.3f}",
            f"{_f(row, 'dense_recall@8'):.3f}",
            f"{_f(row, 'dense_mrr'):.3f}",
        ]
        for spec, row in rows.items()
    ]
    return header, body


def cold_rows(result: dict[str, object]) -> tuple[Row, list[Row]]:
    """Return the header and rows of the cold-start figures."""
    header = ["command (new process)", "median s", "min-max s", "CPU s", "peak RSS MB"]
    body = []
    labels = {
        "help": "sarcolit --help",
        "search": "sarcolit search",
        "ask": "sarcolit ask",
    }
    for name, label in labels.items():
        part = _get(result, "cold_start", name)
        body.append(
            [
                label,
                f"{_f(part, 'median_s'):.2f}",
                f"{_f(part, 'min_s'):.2f}-{_f(part, 'max_s'):.2f}",
                f"{_f(part, 'median_cpu_s'):.2f}"
                if _get(part, "median_cpu_s")
                else "-",
                f"{_f(part, 'peak_rss_mb'):.0f}" if _get(part, "peak_rss_mb") else "-",
            ]
        )
    return header, body


def scale_rows(result: dict[str, object]) -> tuple[Row, list[Row]]:
    """Return the header and rows of the ingest and latency figures."""
    gen = _get(result, "generated_ingest")
    ing = _get(result, "ingest")
    header = ["measure", "value"]
    body = [
        [
            f"corpus ingest ({_get(ing, 'chunks')} chunks), chunks/s",
            f"{_f(ing, 'pipeline_chunks_per_s'):.1f} "
            f"({_f(ing, 'pipeline_share_of_raw'):.0%} of raw encoding)",
        ],
        [
            f"ingest of {_get(gen, 'files')} generated files "
            f"({_get(gen, 'chunks')} chunks)",
            f"{_f(gen, 'median_seconds'):.0f} s: {_f(gen, 'files_per_s'):.1f} "
            f"files/s, {_f(gen, 'chunks_per_s'):.1f} chunks/s",
        ],
        [
            "  its RSS after 10%, 20% ... 100% of the files (first run), MB",
            " ".join(
                f"{_f(gen, 'runs', 0, 'rss_mb_by_tenth', t):.0f}" for t in range(10)
            ),
        ],
        [
            "  RSS growth from 20% to 100% of the files, MB (median of runs)",
            f"{_f(gen, 'rss_growth_mb_20_to_100pct_of_files'):+.0f}",
        ],
        [
            "  RSS after the closing BM25 rebuild; peak RSS (first run), MB",
            f"{_f(gen, 'runs', 0, 'rss_mb_after_index'):.0f}; "
            f"{_f(gen, 'runs', 0, 'peak_rss_mb'):.0f}",
        ],
    ]
    for name in ("corpus", "synthetic"):
        part = _get(result, name)
        label = f"{name} ({_get(part, 'chunks')} chunks)"
        for what in ("search", "ask"):
            body.append(
                [
                    f"{label} {what} p50 / p95 ms",
                    f"{_f(part, what, 'p50_ms'):.1f} / {_f(part, what, 'p95_ms'):.1f}",
                ]
            )
    return header, body


def table(result: dict[str, object]) -> list[Table]:
    """Return the three rich tables of a result."""
    tables = []
    titles = (
        "embedders on the corpus (QA gold set, k = 8)",
        "cold start",
        "ingest and latency (2 cores, CPU)",
    )
    for title, (header, body) in zip(
        titles,
        (embedder_rows(result), cold_rows(result), scale_rows(result)),
        strict=True,
    ):
        rich = Table(title=title)
        for column in header:
            rich.add_column(column)
        for row in body:
            rich.add_row(*row)
        tables.append(rich)
    return tables


def markdown(result: dict[str, object]) -> str:
    """Return the three tables as Markdown, for the README."""
    parts = []
    for header, body in (embedder_rows(result), cold_rows(result), scale_rows(result)):
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown(json.loads(Path(sys.argv[1]).read_text())))
