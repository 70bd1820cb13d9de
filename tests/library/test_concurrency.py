"""Several processes on one data directory: no lost document, no stale reader."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sarcolit.core.settings import Settings, StoreSettings
from sarcolit.core.store import chroma_client
from sarcolit.ingest import open_collections
from sarcolit.library import Library
from tests.conftest import REVIEW, ROOT

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

pytestmark = [pytest.mark.slow]

ENV = {
    **os.environ,
    "PYTHONPATH": str(ROOT),
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
}
CLI = [sys.executable, "-c", "from sarcolit.ui.cli import app; app()"]
DRUGS = ["nivolumab", "pembrolizumab", "ipilimumab", "durvalumab", "atezolizumab"]
# Re-ingests an unchanged file in a loop (each ingest starts with a sweep) until
# told to stop: the sweeps meet the other process's half-written documents.
SWEEPER = """
import sys, time
from pathlib import Path
from sarcolit.library import Library

library = Library.open(sys.argv[1])
stop, tiny = Path(sys.argv[2]), Path(sys.argv[3])
deadline = time.monotonic() + 300
rounds = 0
while not stop.exists() and time.monotonic() < deadline:
    library.ingest([tiny])
    rounds += 1
library.ingest([Path(p) for p in sys.argv[4:]])
print(rounds)
"""


def trial_text(name: str, n: int) -> str:
    """A synthetic trial report of ``n`` paragraphs, unique to ``name``."""
    paragraphs = [
        f"The {name} study (synthetic test text) gave {DRUGS[i % len(DRUGS)]} to "
        f"{20 + i} patients with sarcoma subtype {i}. The objective response rate "
        f"in {name} cohort {i} was {i + 3}% and the median progression-free "
        f"survival was {i + 2}.{i % 10} months. Toxicity of grade {i % 4 + 1} "
        f"occurred in {i + 1} patients of cohort {i} of {name}."
        for i in range(n)
    ]
    return f"{name}: a synthetic trial report\n\n" + "\n\n".join(paragraphs) + "\n"


def write_trials(folder: Path, prefix: str, count: int, paragraphs: int) -> None:
    folder.mkdir(parents=True)
    for i in range(count):
        name = f"{prefix}-{i + 1}"
        (folder / f"{name}.txt").write_text(
            trial_text(name, paragraphs), encoding="utf-8"
        )


def check_store(settings: Settings, expected_sources: int) -> None:
    """Every document complete with all its chunks; no chunk without a document."""
    cols = open_collections(chroma_client(settings.store), settings.store)
    docs = cols.docs.get(include=["metadatas"])
    metas = dict(zip(docs["ids"], docs["metadatas"] or [], strict=True))
    assert all(meta["complete"] is True for meta in metas.values()), metas
    assert len({meta["source"] for meta in metas.values()}) == expected_sources
    chunks = cols.chunks.get(include=["metadatas"])
    per_doc: dict[str, int] = {}
    for meta in chunks["metadatas"] or []:
        per_doc[str(meta["doc_id"])] = per_doc.get(str(meta["doc_id"]), 0) + 1
    assert set(per_doc) == set(metas), "orphan chunks or documents without chunks"
    for doc_id, meta in metas.items():
        assert per_doc[doc_id] == meta["n_chunks"]


def test_two_processes_ingesting_into_one_data_dir_lose_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    write_trials(tmp_path / "a", "ALPHA", 12, 25)
    write_trials(tmp_path / "b", "BRAVO", 3, 4)
    tiny = tmp_path / "tiny.txt"
    tiny.write_text(trial_text("TINY", 1), encoding="utf-8")
    stop = tmp_path / "stop"
    script = tmp_path / "sweeper.py"
    script.write_text(SWEEPER, encoding="utf-8")
    cli = [*CLI, "ingest", str(tmp_path / "a")]
    sweeper = subprocess.Popen(
        [sys.executable, str(script), str(data), str(stop), str(tiny)]
        + [str(p) for p in sorted((tmp_path / "b").iterdir())],
        env=ENV,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(8)  # the sweeper is looping by now
    writer = subprocess.run(
        [*cli, "--data-dir", str(data)],
        env=ENV,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    stop.touch()
    out, _ = sweeper.communicate(timeout=600)
    assert writer.returncode == 0, writer.stderr
    assert sweeper.returncode == 0
    assert "12 added" in writer.stderr
    assert int(out.strip()) > 0
    settings = Settings(store=StoreSettings(path=data))
    check_store(settings, expected_sources=12 + 3 + 1)
    library = Library.open(data)
    hits = library.search("objective response rate of ALPHA-7 cohort 3", k=5)
    assert hits
    assert hits[0].dense_rank is not None


HOLDER = """
import sys, time
from pathlib import Path
from sarcolit.core.datadir import writer_lock

with writer_lock(Path(sys.argv[1])):
    print("held", flush=True)
    deadline = time.monotonic() + 300
    while not Path(sys.argv[2]).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
"""


def test_a_second_writer_waits_and_says_so(tmp_path: Path) -> None:
    data, release = tmp_path / "data", tmp_path / "release"
    script = tmp_path / "holder.py"
    script.write_text(HOLDER, encoding="utf-8")
    with subprocess.Popen(
        [sys.executable, str(script), str(data), str(release)],
        env=ENV,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with subprocess.Popen(
            [*CLI, "ingest", str(REVIEW), "--data-dir", str(data)],
            env=ENV,
            stderr=subprocess.PIPE,
            text=True,
        ) as second:
            assert second.stderr is not None
            first_line = second.stderr.readline()  # blocks until it has to wait
            assert docs_in(data) == 0
            release.touch()
            rest = second.stderr.read()
        holder.communicate(timeout=60)
    assert second.returncode == 0, first_line + rest
    assert "is writing to" in first_line
    assert "waiting for it to finish" in first_line
    assert "1 added" in rest
    assert docs_in(data) == 1


def docs_in(data: Path) -> int:
    settings = Settings(store=StoreSettings(path=data))
    return open_collections(chroma_client(settings.store), settings.store).docs.count()


def test_a_running_library_sees_what_another_process_ingests(
    tmp_path: Path, embedder: Embeddings
) -> None:
    data = tmp_path / "data"
    library = Library.open(data)
    library.ingest([REVIEW])
    new = tmp_path / "zeta.txt"
    new.write_text(trial_text("ZETA-9", 2), encoding="utf-8")
    assert not [h for h in library.search("ZETA-9 cohort") if "ZETA" in h.chunk.text]
    subprocess.run(
        [*CLI, "ingest", str(new), "--data-dir", str(data)],
        env=ENV,
        check=True,
        capture_output=True,
        timeout=600,
    )
    hits = library.search("ZETA-9 cohort 1 objective response rate", k=3)
    assert hits
    assert "ZETA-9" in hits[0].chunk.text
    assert hits[0].dense_rank is not None  # the vectors, not only BM25
    assert any(d.title.startswith("ZETA-9") for d in library.documents())


INGEST_ONLY = """
import sys
from pathlib import Path
from sarcolit.core.settings import Settings, StoreSettings
from sarcolit.core.store import chroma_client
from sarcolit.core.embedding import embedder
from sarcolit.ingest import ingest_paths, open_collections

settings = Settings(store=StoreSettings(path=Path(sys.argv[1])))
cols = open_collections(chroma_client(settings.store), settings.store)
ingest_paths([Path(sys.argv[2])], cols, embedder(None, settings), settings.ingest)
"""


def test_a_writer_that_leaves_no_token_is_seen_through_the_fingerprint(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    settings = Settings(store=StoreSettings(path=data, refresh_s=0))
    library = Library.open(settings=settings)
    library.ingest([REVIEW])
    new = tmp_path / "omega.txt"
    new.write_text(trial_text("OMEGA-4", 2), encoding="utf-8")
    script = tmp_path / "ingest_only.py"
    script.write_text(INGEST_ONLY, encoding="utf-8")
    subprocess.run(
        [sys.executable, str(script), str(data), str(new)],
        env=ENV,
        check=True,
        timeout=600,
    )
    hits = library.search("OMEGA-4 cohort 1 objective response rate", k=3)
    assert hits
    assert "OMEGA-4" in hits[0].chunk.text
