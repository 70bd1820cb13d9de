"""Benchmark of the spine: embedders, cold start, ingest, search and ask at scale.

Run: ``sarcolit bench`` or ``python benchmarks/bench_spine.py
[--synthetic-chunks N] [--files N] [--out PATH]`` from a source checkout.

Parts (each a median of three rounds):

- the local embedders side by side (``bench_embedders``): throughput, recall@8
  and MRR on the bundled QA gold set, and the default they support;
- cold start (``bench_cold``): `sarcolit --help`, `search` and `ask` as new
  processes, with the peak memory of `ask`;
- corpus ingest against raw encoding, and search/ask latency on the corpus;
- search and ask latency at 100,000 chunks (synthetic vectors, see
  ``bench_scale``) and the ingest of 1,000 generated files with its memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules

from bench_cold import cold_start
from bench_embedders import compare_embedders
from bench_report import table
from bench_scale import bench_generated_ingest, build_synthetic, latency

from sarcolit.core.embedding import embed_texts, embedder, embedder_name
from sarcolit.core.settings import EmbedderSettings, Settings, StoreSettings
from sarcolit.core.store import chroma_client
from sarcolit.ingest import expand_paths, ingest_paths, open_collections
from sarcolit.ingest.chunking import chunk_document
from sarcolit.ingest.readers import read_document
from sarcolit.retrieval import open_index

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from sarcolit.retrieval import HybridIndex

TARGETS = {
    "cold_ask_s": 2.5,
    "synthetic_search_p95_ms": 50.0,
    "synthetic_ask_p95_ms": 150.0,
}


def bench_ingest(
    corpus: Path, model: Embeddings, base: Settings, workdir: Path, rounds: int
) -> tuple[dict[str, object], HybridIndex, Settings]:
    """Time the full ingest of ``corpus`` against raw encoding of the same chunks.

    Each round encodes the chunk texts once and ingests the files into a fresh
    store (read, chunk, tag, embed, write, BM25 build); medians are reported.
    """
    files = expand_paths([corpus])
    docs = [read_document(f, max_bytes=base.ingest.max_bytes) for f in files]
    texts = [c.text for d in docs for c in chunk_document(d, base.ingest.chunk_tokens)]
    embed_texts(model, texts[:8])  # warm up
    raw: list[float] = []
    pipeline: list[float] = []
    for round_no in range(rounds):
        start = time.perf_counter()
        embed_texts(model, texts)
        raw.append(time.perf_counter() - start)
        store = StoreSettings(path=workdir / f"corpus-store-{round_no}")
        settings = base.model_copy(update={"store": store})
        client = chroma_client(settings.store)
        cols = open_collections(client, settings.store)
        start = time.perf_counter()
        report = ingest_paths(files, cols, model, settings.ingest)
        index = open_index(client, settings, model)
        pipeline.append(time.perf_counter() - start)
    raw_rate = len(texts) / statistics.median(raw)
    pipeline_rate = report.chunks_written / statistics.median(pipeline)
    result: dict[str, object] = {
        "embedder": embedder_name(model),
        "files": len(files),
        "chunks": report.chunks_written,
        "rounds": rounds,
        "raw_encode_chunks_per_s": raw_rate,
        "pipeline_chunks_per_s": pipeline_rate,
        "pipeline_share_of_raw": pipeline_rate / raw_rate,
    }
    return result, index, settings


def _checks(result: dict[str, object]) -> dict[str, bool]:
    def number(*path: str) -> float:
        value: object = result
        for key in path:
            assert isinstance(value, dict)
            value = value[key]
        return float(str(value))

    return {
        "cold_ask_s": number("cold_start", "ask", "median_s") <= TARGETS["cold_ask_s"],
        "synthetic_search_p95_ms": number("synthetic", "search", "p95_ms")
        <= TARGETS["synthetic_search_p95_ms"],
        "synthetic_ask_p95_ms": number("synthetic", "ask", "p95_ms")
        <= TARGETS["synthetic_ask_p95_ms"],
    }


def run_bench(
    corpus: Path,
    out_json: Path,
    n_synthetic: int,
    console: Console,
    rounds: int = 3,
    n_files: int = 1000,
) -> dict[str, object]:
    """Run every measurement, print the tables and write the JSON result."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sarcolit-bench-") as tmp:
        workdir = Path(tmp)
        model_dir = workdir / "models"
        console.print("embedders: st:, onnx:, onnx-int8: side by side")
        embedders = compare_embedders(corpus, workdir / "embedders", model_dir, rounds)
        base = Settings(embedder=EmbedderSettings(model_dir=model_dir))
        model = embedder(None, base)
        console.print(
            f"corpus ingest and latency with the default, {embedder_name(model)}"
        )
        ingest_result, index, settings = bench_ingest(
            corpus, model, base, workdir, rounds
        )
        corpus_latency = latency(index, settings, rounds)
        console.print("cold start: sarcolit --help, search, ask")
        cold = cold_start(settings.store.path, model_dir)
        docs = index.get_documents()
        console.print(f"ingest of {n_files} generated files")
        generated = bench_generated_ingest(docs, workdir, model_dir, n_files, rounds)
        console.print(f"synthetic store of {n_synthetic} chunks")
        synthetic, syn_settings, syn_info = build_synthetic(
            docs, model, workdir, n_synthetic
        )
        synthetic_latency = latency(synthetic, syn_settings, rounds)
    result: dict[str, object] = {
        "machine": "2 cores, CPU only; shared with other work (see README)",
        "default_embedder": embedder_name(model),
        "embedders": embedders,
        "cold_start": cold,
        "ingest": ingest_result,
        "corpus": corpus_latency,
        "generated_ingest": generated,
        "synthetic": {**synthetic_latency, **syn_info},
        "bench_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "bench_minutes": (time.perf_counter() - started) / 60,
        "targets": TARGETS,
    }
    result["targets_met"] = _checks(result)
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(result, indent=2) + "\n")
    for part in table(result):
        console.print(part)
    console.print(f"written to {out_json}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/spine.json")
    )
    parser.add_argument("--synthetic-chunks", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    run_bench(
        args.corpus,
        args.out,
        args.synthetic_chunks,
        console=Console(),
        n_files=args.files,
    )


if __name__ == "__main__":
    main()
