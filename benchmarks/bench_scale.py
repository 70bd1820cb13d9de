"""Scale: search and ask at 100,000 chunks, and ingest of 1,000 generated files.

The synthetic store recombines corpus sentences into chunks. Embedding 100,000
chunks would take about an hour on two cores, so each distinct corpus sentence
is embedded once and a synthetic chunk's vector is the normalised mean of its
sentences' vectors (synthetic vectors, real texts, real BM25); the report says
so. Latency is taken over the query list, three rounds; the medians of the
rounds' p50 and p95 are reported.

The generated files are new short papers written from random corpus sentences.
Each round ingests all of them into a fresh data directory in a new process
(``Library.ingest``, what `sarcolit ingest` calls), which reads its resident
memory after every tenth of the files: memory is flat when it stops growing
after the first tenths (model and store loaded) while files keep coming.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from bench_cold import TIME, TIME_FORMAT, time_report

from sarcolit.core.embedding import embed_texts
from sarcolit.core.models import Chunk, Document
from sarcolit.core.settings import Settings, StoreSettings
from sarcolit.core.store import chroma_client
from sarcolit.ingest import claim_store, open_collections
from sarcolit.ingest.chunking import sentence_spans
from sarcolit.ingest.pipeline import write_document
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


def sentences_of(docs: list[Document]) -> list[str]:
    """Return the distinct corpus sentences longer than 30 characters."""
    return sorted(
        {d.text[s:e] for d in docs for s, e in sentence_spans(d.text) if e - s > 30}
    )


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": 1000 * statistics.median(ordered), "p95_ms": 1000 * p95}


def latency(index: HybridIndex, settings: Settings, rounds: int) -> dict[str, object]:
    """Time search and the extractive answer per query; medians of the rounds."""
    for query in QUERIES[:3]:  # warm caches once
        answer_question(query, index, settings)
    per_round: dict[str, list[dict[str, float]]] = {"search": [], "ask": []}
    for _ in range(rounds):
        search: list[float] = []
        ask: list[float] = []
        for query in QUERIES:
            start = time.perf_counter()
            index.search(query, settings.retrieval.k)
            search.append(time.perf_counter() - start)
            start = time.perf_counter()
            answer_question(query, index, settings)
            ask.append(time.perf_counter() - start)
        per_round["search"].append(_percentiles(search))
        per_round["ask"].append(_percentiles(ask))
    result: dict[str, object] = {"chunks": len(index.chunks), "rounds": rounds}
    for name, rows in per_round.items():
        result[name] = {
            key: statistics.median(row[key] for row in rows)
            for key in ("p50_ms", "p95_ms")
        }
    return result


def build_synthetic(
    docs: list[Document], model: Embeddings, workdir: Path, n_chunks: int
) -> tuple[HybridIndex, Settings, dict[str, object]]:
    """Store ``n_chunks`` chunks recombined from corpus sentences (see module doc)."""
    sentences = sentences_of(docs)
    start = time.perf_counter()
    vectors = embed_texts(model, sentences)
    embed_s = time.perf_counter() - start
    rng = random.Random(7)
    settings = Settings(store=StoreSettings(path=workdir / "synthetic-store"))
    client = chroma_client(settings.store)
    cols = open_collections(client, settings.store)
    claim_store(cols, model)  # the vectors are the model's, averaged
    start = time.perf_counter()
    for doc_no in range(0, n_chunks, _CHUNKS_PER_DOC):
        picks = [
            rng.sample(range(len(sentences)), _SENTENCES_PER_CHUNK)
            for _ in range(min(_CHUNKS_PER_DOC, n_chunks - doc_no))
        ]
        bodies = [" ".join(sentences[i] for i in pick) for pick in picks]
        doc = Document(
            id=f"synthetic-{doc_no:06d}",
            source=f"synthetic/{doc_no}",
            title=f"Synthetic document {doc_no}",
            text="\n\n".join(bodies),
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
    index = open_index(client, settings, model)
    bm25_s = time.perf_counter() - start
    info = {
        "vectors": "synthetic: mean of the MiniLM vectors of the chunk's sentences",
        "distinct_sentences_embedded": len(sentences),
        "sentence_embed_s": embed_s,
        "store_write_s": write_s,
        "index_open_and_bm25_build_s": bm25_s,
    }
    return index, settings, info


def generate_files(docs: list[Document], folder: Path, n_files: int) -> int:
    """Write ``n_files`` short papers of random corpus sentences; return bytes."""
    sentences = sentences_of(docs)
    rng = random.Random(11)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for number in range(n_files):
        paragraphs = [
            " ".join(rng.sample(sentences, rng.randint(3, 6)))
            for _ in range(rng.randint(2, 5))
        ]
        body = "\n\n".join(paragraphs)
        head = f"Generated paper {number}\n\nWritten for the ingest benchmark."
        text = f"{head}\n\n{body}\n"
        (folder / f"paper-{number:04d}.txt").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


def ingest_child(folder: Path, data_dir: Path) -> None:
    """Ingest ``folder`` in this (fresh) process; print times and memory as JSON.

    Memory is read after every tenth of the files, and once more after the
    index is brought up to date (the BM25 rebuild that ends every ingest).
    """
    from sarcolit.library import Library

    start = time.perf_counter()
    library = Library.open(data_dir)
    opened = time.perf_counter() - start
    total = len(list(folder.iterdir()))
    by_tenth: list[float] = []
    done = 0

    def on_file(_outcome: object) -> None:
        nonlocal done
        done += 1
        if done * 10 // total > len(by_tenth):  # another tenth of the files is in
            by_tenth.append(_rss_mb())

    report = library.ingest([folder], on_file)
    result = {
        "seconds": time.perf_counter() - start,
        "open_seconds": opened,
        "chunks": report.chunks_written,
        "failed": len(report.failed),
        "rss_mb_by_tenth": by_tenth,
        "rss_mb_after_index": _rss_mb(),
    }
    sys.stdout.write(json.dumps(result) + "\n")


def _ingest_once(
    folder: Path, data_dir: Path, env: dict[str, str]
) -> dict[str, object]:
    """Ingest ``folder`` in a new process; return its figures and peak memory."""
    report = data_dir.with_name(data_dir.name + "-time.txt")
    argv = [sys.executable, __file__, "ingest-child", str(folder), str(data_dir)]
    if Path(TIME).exists():
        argv = [TIME, "-f", TIME_FORMAT, "-o", str(report), *argv]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the ingest child failed: {done.stderr[-800:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = time_report(report)[0]
    return result


def bench_generated_ingest(
    docs: list[Document], workdir: Path, model_dir: Path, n_files: int, rounds: int
) -> dict[str, object]:
    """Ingest ``n_files`` generated files ``rounds`` times; medians and memory."""
    folder = workdir / "generated"
    size = generate_files(docs, folder, n_files)
    env = {**os.environ, "SARCOLIT_EMBEDDER__MODEL_DIR": str(model_dir)}
    runs = [
        _ingest_once(folder, workdir / f"generated-store-{n}", env)
        for n in range(rounds)
    ]
    seconds = statistics.median(float(str(r["seconds"])) for r in runs)
    chunks = int(str(runs[0]["chunks"]))
    tenths = [r["rss_mb_by_tenth"] for r in runs]
    growth = [float(t[-1]) - float(t[1]) for t in tenths if isinstance(t, list)]
    return {
        "files": n_files,
        "bytes": size,
        "chunks": chunks,
        "rounds": rounds,
        "median_seconds": seconds,
        "files_per_s": n_files / seconds,
        "chunks_per_s": chunks / seconds,
        "rss_growth_mb_20_to_100pct_of_files": statistics.median(growth),
        "runs": runs,
    }


if __name__ == "__main__" and sys.argv[1:2] == ["ingest-child"]:
    ingest_child(Path(sys.argv[2]), Path(sys.argv[3]))
