"""Benchmark of the spine: ingest throughput, search and ask latency, peak memory.

Run: ``sarcolit bench`` or ``python benchmarks/bench_spine.py [--synthetic-chunks N]
[--out PATH]``.

The synthetic store recombines corpus sentences into 20,000 chunks. Embedding
them with MiniLM would take over half an hour on two cores, so each distinct
corpus sentence is embedded once and a synthetic chunk's vector is the normalised
mean of its sentences' vectors; the report says so.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rich.console import Console
from rich.table import Table

from sarcolit.core.embedding import embed_texts as embed
from sarcolit.core.embedding import embedder as load_embedder
from sarcolit.core.models import Chunk, Document
from sarcolit.core.settings import Settings, StoreSettings
from sarcolit.core.store import chroma_client
from sarcolit.ingest import expand_paths, ingest_paths, open_collections
from sarcolit.ingest.chunking import chunk_document, sentence_spans
from sarcolit.ingest.pipeline import write_document
from sarcolit.ingest.readers import read_document
from sarcolit.ingest.tags import tag_text
from sarcolit.retrieval import answer_question, open_index

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from sarcolit.retrieval import HybridIndex

QUERIES = [
    "What was the objective response rate in SARC028?",
    "median progression-free survival of toripalimab in ASPS",
    "Which biomarkers predict response to immune checkpoint inhibitors in sarcoma?",
    "PD-L1 expression and prognosis",
    "tertiary lymphoid structures B cells sarcoma immune class",
    "pembrolizumab plus axitinib alveolar soft part sarcoma",
    "NY-ESO-1 TCR-T synovial sarcoma response",
    "What is afamitresgene autoleucel?",
    "oncolytic virus talimogene laherparepvec",
    "durvalumab pazopanib CD20 B cells",
    "How many patients were enrolled with anlotinib and TQB2450?",
    "real-world efficacy of immunotherapy combined with anti-angiogenic therapy",
    "GD2 CAR-T osteosarcoma",
    "interleukin-2 cytokine therapy",
    "What is the cost of nivolumab in Norway?",
]
_SENTENCES_PER_CHUNK = 4
_CHUNKS_PER_DOC = 200


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": 1000 * statistics.median(ordered), "p95_ms": 1000 * p95}


def _latency(index: HybridIndex, settings: Settings, rounds: int) -> dict[str, object]:
    for query in QUERIES[:3]:  # warm caches once
        answer_question(query, index, settings)
    search: list[float] = []
    ask: list[float] = []
    for query in QUERIES * rounds:
        start = time.perf_counter()
        index.search(query, settings.retrieval.k)
        search.append(time.perf_counter() - start)
        start = time.perf_counter()
        answer_question(query, index, settings)
        ask.append(time.perf_counter() - start)
    return {
        "chunks": len(index.chunks),
        "queries": len(search),
        "search": _percentiles(search),
        "ask": _percentiles(ask),
    }


def bench_ingest(
    corpus: Path, embedder: Embeddings, workdir: Path, rounds: int = 3
) -> tuple[dict[str, object], HybridIndex, Settings]:
    """Time the full ingest of ``corpus`` against raw encoding of the same chunks.

    Each round encodes the chunk texts once with ``Embeddings.encode``
    and ingests the files into a fresh store (read, chunk, tag, embed, write,
    BM25 build); the medians of the rounds are reported.
    """
    base = Settings()
    files = expand_paths([corpus])
    docs = [read_document(f, max_bytes=base.ingest.max_bytes) for f in files]
    texts = [c.text for d in docs for c in chunk_document(d, base.ingest.chunk_tokens)]
    embed(embedder, texts[:8])  # warm up
    raw: list[float] = []
    pipeline: list[float] = []
    for round_no in range(rounds):
        start = time.perf_counter()
        embed(embedder, texts)
        raw.append(time.perf_counter() - start)
        store = StoreSettings(path=workdir / f"corpus-store-{round_no}")
        settings = base.model_copy(update={"store": store})
        client = chroma_client(settings.store)
        cols = open_collections(client, settings.store)
        start = time.perf_counter()
        report = ingest_paths(files, cols, embedder, settings.ingest)
        index = open_index(client, settings, embedder)
        pipeline.append(time.perf_counter() - start)
    raw_rate = len(texts) / statistics.median(raw)
    pipeline_rate = report.chunks_written / statistics.median(pipeline)
    result: dict[str, object] = {
        "files": len(files),
        "chunks": report.chunks_written,
        "rounds": rounds,
        "raw_encode_chunks_per_s": raw_rate,
        "pipeline_chunks_per_s": pipeline_rate,
        "pipeline_share_of_raw": pipeline_rate / raw_rate,
        "embed_group": settings.ingest.embed_group,
    }
    return result, index, settings


def build_synthetic(
    docs: list[Document],
    embedder: Embeddings,
    workdir: Path,
    n_chunks: int,
) -> tuple[HybridIndex, Settings, dict[str, object]]:
    """Store ``n_chunks`` chunks recombined from corpus sentences (see module doc)."""
    sentences = sorted(
        {d.text[s:e] for d in docs for s, e in sentence_spans(d.text) if e - s > 30}
    )
    start = time.perf_counter()
    vectors = embed(embedder, sentences)
    embed_s = time.perf_counter() - start
    rng = random.Random(7)
    settings = Settings(store=StoreSettings(path=workdir / "synthetic-store"))
    client = chroma_client(settings.store)
    cols = open_collections(client, settings.store)
    start = time.perf_counter()
    for doc_no in range(0, n_chunks, _CHUNKS_PER_DOC):
        picks = [
            rng.sample(range(len(sentences)), _SENTENCES_PER_CHUNK)
            for _ in range(min(_CHUNKS_PER_DOC, n_chunks - doc_no))
        ]
        bodies = [" ".join(sentences[i] for i in pick) for pick in picks]
        text = "\n\n".join(bodies)
        doc = Document(
            id=f"synthetic-{doc_no:06d}",
            source=f"synthetic/{doc_no}",
            title=f"Synthetic document {doc_no}",
            text=text,
        )
        chunks, offset = [], 0
        for body in bodies:
            chunks.append(
                Chunk(
                    id=f"{doc.id}:{offset}",
                    doc_id=doc.id,
                    start=offset,
                    end=offset + len(body),
                    text=body,
                    tags=tag_text(body),
                )
            )
            offset += len(body) + 2
        means = np.stack([vectors[pick].mean(axis=0) for pick in picks])
        means /= np.linalg.norm(means, axis=1, keepdims=True)
        write_document(cols, doc, chunks, means.astype(np.float32))
    write_s = time.perf_counter() - start
    start = time.perf_counter()
    index = open_index(client, settings, embedder)
    bm25_s = time.perf_counter() - start
    info = {
        "vectors": "mean of MiniLM vectors of the chunk's corpus sentences",
        "distinct_sentences_embedded": len(sentences),
        "sentence_embed_s": embed_s,
        "store_write_s": write_s,
        "bm25_build_s": bm25_s,
    }
    return index, settings, info


def run_bench(
    corpus: Path, out_json: Path, n_synthetic: int, console: Console, rounds: int = 3
) -> dict[str, object]:
    """Run every measurement, print a table and write the JSON result."""
    embedder = load_embedder()
    with tempfile.TemporaryDirectory(prefix="sarcolit-bench-") as tmp:
        workdir = Path(tmp)
        ingest_result, index, settings = bench_ingest(corpus, embedder, workdir)
        corpus_latency = _latency(index, settings, rounds)
        docs = index.get_documents()
        synthetic, syn_settings, syn_info = build_synthetic(
            docs, embedder, workdir, n_synthetic
        )
        synthetic_latency = _latency(synthetic, syn_settings, rounds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result: dict[str, object] = {
        "ingest": ingest_result,
        "corpus": corpus_latency,
        "synthetic": {**synthetic_latency, **syn_info},
        "peak_rss_mb": peak_mb,
        "targets": {
            "pipeline_share_of_raw": ">= 0.80",
            "synthetic_search_p95_ms": "<= 100",
            "synthetic_ask_p95_ms": "<= 300",
        },
    }
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(result, indent=2) + "\n")
    console.print(_table(result))
    console.print(f"written to {out_json}")
    return result


def _table(result: dict[str, object]) -> Table:
    table = Table(title="sarcolit spine benchmark (2 cores, CPU)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    ing = result["ingest"]
    assert isinstance(ing, dict)
    table.add_row("raw encode, chunks/s", f"{ing['raw_encode_chunks_per_s']:.1f}")
    table.add_row("pipeline ingest, chunks/s", f"{ing['pipeline_chunks_per_s']:.1f}")
    table.add_row("pipeline / raw", f"{ing['pipeline_share_of_raw']:.0%}")
    for name in ("corpus", "synthetic"):
        part = result[name]
        assert isinstance(part, dict)
        label = f"{name} ({part['chunks']} chunks)"
        table.add_row(
            f"{label} search p50 / p95 ms",
            f"{part['search']['p50_ms']:.1f} / {part['search']['p95_ms']:.1f}",
        )
        table.add_row(
            f"{label} ask p50 / p95 ms",
            f"{part['ask']['p50_ms']:.1f} / {part['ask']['p95_ms']:.1f}",
        )
    table.add_row("peak RSS, MB", f"{result['peak_rss_mb']:.0f}")
    return table


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
