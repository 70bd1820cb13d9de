"""Rule-based extraction throughput: papers/s and pages/s over 500 replicated samples.

Run: python benchmarks/bench_extraction.py [--files 500] [--runs 3]

The texts of corpus/trials, corpus/reviews and corpus/literature (trial
reports, the seed review, abstracts, news, regulatory texts, tables, JATS,
HTML and two-column PDF) are copied to a temporary folder until there are
``--files`` files; each run reads and extracts every file. A page is a PDF
page, or 3,000 characters of other text. The median of the runs is reported
and written to benchmarks/results/extraction.json.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sarcolit.core.models import Document
from sarcolit.extraction import extract_rules
from sarcolit.ingest import expand_paths, read_document

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ROOT / "corpus" / "trials",
    ROOT / "corpus" / "reviews",
    ROOT / "corpus" / "literature",
]
RESULTS = ROOT / "benchmarks" / "results" / "extraction.json"
CHARS_PER_PAGE = 3000
TARGET_PAGES_PER_S = 50.0


def pages(document: Document) -> int:
    if document.pages:
        return len(document.pages)
    return max(1, math.ceil(len(document.text) / CHARS_PER_PAGE))


def replicate(folder: Path, count: int) -> list[Path]:
    samples = expand_paths(SOURCES)
    copies = []
    for i in range(count):
        source = samples[i % len(samples)]
        target = folder / f"{i:04d}-{source.name}"
        shutil.copyfile(source, target)
        sidecar = source.with_name(source.stem + ".meta.json")
        if sidecar.exists():
            shutil.copyfile(sidecar, target.with_name(target.stem + ".meta.json"))
        copies.append(target)
    return copies


def one_run(paths: list[Path]) -> tuple[float, int, int]:
    start = time.perf_counter()
    total_pages = records = 0
    for path in paths:
        document = read_document(path, max_bytes=50_000_000)
        records += len(extract_rules(document))
        total_pages += pages(document)
    return time.perf_counter() - start, total_pages, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = replicate(Path(tmp), args.files)
        runs = [one_run(paths) for _ in range(args.runs)]
    seconds = statistics.median(r[0] for r in runs)
    total_pages, records = runs[0][1], runs[0][2]
    result = {
        "files": len(paths),
        "pages": total_pages,
        "records": records,
        "runs_s": [round(r[0], 3) for r in runs],
        "median_s": round(seconds, 3),
        "papers_per_s": round(len(paths) / seconds, 1),
        "pages_per_s": round(total_pages / seconds, 1),
        "target_pages_per_s": TARGET_PAGES_PER_S,
        "machine": f"{platform.python_implementation()} {platform.python_version()} "
        f"on {platform.machine()}",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{'files':>8} {'pages':>8} {'median s':>9} {'papers/s':>9} {'pages/s':>9}")
    print(
        f"{result['files']:>8} {result['pages']:>8} {result['median_s']:>9} "
        f"{result['papers_per_s']:>9} {result['pages_per_s']:>9}"
    )
    print(f"target >= {TARGET_PAGES_PER_S:g} pages/s; written to {RESULTS}")


if __name__ == "__main__":
    main()
