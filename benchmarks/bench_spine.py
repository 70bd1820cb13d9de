"""Spine benchmark: the same as `sarcolit bench` (ingest, search, ask, memory).

Run: python benchmarks/bench_spine.py [--synthetic-chunks N] [--out PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from evals.bench_spine import run_bench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/spine.json")
    )
    parser.add_argument("--synthetic-chunks", type=int, default=20_000)
    args = parser.parse_args()
    run_bench(args.corpus, args.out, args.synthetic_chunks, console=Console())


if __name__ == "__main__":
    main()
