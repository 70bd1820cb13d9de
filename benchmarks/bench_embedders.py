"""st:, onnx: and onnx-int8: side by side: throughput, closeness, retrieval quality.

Throughput: the corpus chunks encoded by each embedder, the three interleaved
round by round (so machine load hits all alike); the median of three rounds.
Quality: each embedder builds its own store of corpus/, and the bundled QA gold
set (evals/gold/qa.jsonl) is scored on it twice: through hybrid search (what
`sarcolit search` returns) and through the dense vectors alone, where the
embedder is the only difference. A variant may become the default only if its
recall@8 is within 0.01 of torch's on both.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sarcolit.core.embedding import Vectors, embed_texts, embedder
from sarcolit.core.models import Answer, SearchHit
from sarcolit.core.settings import EmbedderSettings, Settings, StoreSettings
from sarcolit.evals import QA_GOLD, corpus_of, load_qa_gold, run_qa_eval
from sarcolit.ingest import expand_paths
from sarcolit.ingest.chunking import chunk_document
from sarcolit.ingest.readers import read_document
from sarcolit.library import Library

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from sarcolit.retrieval import HybridIndex

SPECS = ("st:", "onnx:", "onnx-int8:")
REFERENCE = "st:"
K = 8
MAX_RECALL_LOSS = 0.01


def corpus_texts(corpus: Path, settings: Settings) -> list[str]:
    """Return the chunk texts of every corpus file, as ingest cuts them."""
    texts: list[str] = []
    for path in expand_paths([corpus]):
        doc = read_document(path, max_bytes=settings.ingest.max_bytes)
        texts.extend(c.text for c in chunk_document(doc, settings.ingest.chunk_tokens))
    return texts


def _throughput(
    models: dict[str, Embeddings], texts: list[str], rounds: int
) -> tuple[dict[str, float], dict[str, Vectors]]:
    """Return each model's chunks per second (median of rounds) and its vectors."""
    for model in models.values():
        embed_texts(model, texts[:8])  # warm up
    seconds: dict[str, list[float]] = {spec: [] for spec in models}
    vectors: dict[str, Vectors] = {}
    for _ in range(rounds):
        for spec, model in models.items():
            start = time.perf_counter()
            vectors[spec] = embed_texts(model, texts)
            seconds[spec].append(time.perf_counter() - start)
    rates = {spec: len(texts) / statistics.median(s) for spec, s in seconds.items()}
    return rates, vectors


def _dense_search(index: HybridIndex) -> Callable[[str, int], list[SearchHit]]:
    rows = {c.id: c for c in index.chunks}

    def search(question: str, depth: int) -> list[SearchHit]:
        found = index.cols.chunks.query(
            query_embeddings=[index.embed_query(question).tolist()],
            n_results=min(depth, len(rows)),
            include=["distances"],
        )
        distances = (found["distances"] or [[]])[0]
        return [
            SearchHit(
                chunk=rows[i],
                title=index.title(rows[i].doc_id),
                score=1.0 - d,
                dense_rank=rank,
            )
            for rank, (i, d) in enumerate(
                zip(found["ids"][0], distances, strict=True), start=1
            )
            if i in rows
        ]

    return search


def _quality(library: Library, workdir: Path) -> dict[str, float]:
    """Score the gold questions through hybrid search and through vectors alone."""
    gold = load_qa_gold(QA_GOLD, corpus_of(library.get_documents()))
    scores: dict[str, float] = {}

    def ask(question: str) -> Answer:
        return library.ask(question, answerer="extractive")

    searches: dict[str, Callable[[str, int], list[SearchHit]]] = {
        "hybrid": library.search,
        "dense": _dense_search(library.index),
    }
    for name, search in searches.items():
        run = run_qa_eval(
            gold,
            search=search,
            answer=ask,
            out_dir=workdir / f"qa-{name}",
            k=K,
        )
        scores[f"{name}_recall@{K}"] = run.results.metrics[f"recall@{K}"]
        scores[f"{name}_mrr"] = run.results.metrics["mrr"]
    scores["questions"] = float(len(gold))
    return scores


def choose_default(rows: dict[str, dict[str, float]]) -> tuple[str, str]:
    """Pick the fastest spec whose recall@8 is within 0.01 of torch's, and say why."""
    reference = rows[REFERENCE]
    eligible = [
        spec
        for spec, row in rows.items()
        if all(
            row[f"{kind}_recall@{K}"]
            >= reference[f"{kind}_recall@{K}"] - MAX_RECALL_LOSS
            for kind in ("hybrid", "dense")
        )
    ]
    best = max(eligible, key=lambda spec: rows[spec]["chunks_per_s"])
    dropped = [s for s in rows if s not in eligible]
    why = f"fastest of {', '.join(eligible)} (recall@{K} within {MAX_RECALL_LOSS})"
    if dropped:
        why += f"; {', '.join(dropped)} lose more than {MAX_RECALL_LOSS} recall@{K}"
    return best, why


def compare_embedders(
    corpus: Path, workdir: Path, model_dir: Path, rounds: int = 3
) -> dict[str, object]:
    """Measure every local embedder on the corpus; return rows and the choice."""
    base = Settings(embedder=EmbedderSettings(model_dir=model_dir))
    models = {spec: embedder(spec, base) for spec in SPECS}
    texts = corpus_texts(corpus, base)
    rates, vectors = _throughput(models, texts, rounds)
    rows: dict[str, dict[str, float]] = {}
    for spec in models:
        cosines = (vectors[spec] * vectors[REFERENCE]).sum(axis=1)
        store = StoreSettings(path=workdir / f"store-{spec.rstrip(':')}")
        settings = base.model_copy(
            update={
                "store": store,
                "embedder": base.embedder.model_copy(update={"spec": spec}),
            }
        )
        library = Library.open(settings=settings)
        library.ingest([corpus])
        rows[spec] = {
            "chunks_per_s": rates[spec],
            "speed_vs_torch": rates[spec] / rates[REFERENCE],
            "min_cosine_to_torch": float(np.min(cosines)),
            **_quality(library, workdir / f"eval-{spec.rstrip(':')}"),
        }
    default, why = choose_default(rows)
    return {
        "chunks": len(texts),
        "rounds": rounds,
        "rows": rows,
        "chosen_default": default,
        "why": why,
    }
