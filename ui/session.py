"""What a command or the web app opens once: settings, store, embedder and index."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chromadb.api import ClientAPI
from rich.console import Console

from core.errors import SarcolitError
from core.settings import Settings
from core.store import chroma_client
from ingest import load_embedder
from retrieval import HybridIndex, open_index

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


@dataclass
class Session:
    """An open store with its embedder; built once per process."""

    settings: Settings
    client: ClientAPI
    embedder: SentenceTransformer
    index: HybridIndex

    @classmethod
    def open(cls, settings: Settings, console: Console | None = None) -> Session:
        """Connect to the store, load the embedder and open the hybrid index."""
        console = console or Console(stderr=True)
        client = chroma_client(settings.store)
        with console.status("Loading the embedding model"):
            embedder = load_embedder()
        with console.status("Opening the index"):
            index = open_index(client, settings, embedder)
        return cls(settings, client, embedder, index)


def with_passages(settings: Settings, k: int | None) -> Settings:
    """Return settings whose answerer reads ``k`` retrieved passages (None: as is)."""
    if k is None:
        return settings
    retrieval = settings.retrieval.model_copy(update={"answer_pool": k})
    return settings.model_copy(update={"retrieval": retrieval})


def read_questions(path: Path | None) -> list[str]:
    """Read questions: one per line, or JSONL rows with a ``question`` key.

    Raises:
        SarcolitError: the file is missing, or a JSON row has no question.
    """
    if path is None:
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SarcolitError(f"cannot read questions from {path}: {exc}") from exc
    questions: list[str] = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                row = json.loads(line)
                questions.append(str(row["question"]))
            except (ValueError, KeyError) as exc:
                raise SarcolitError(
                    f"{path}:{number}: not a JSON row with a 'question' key ({exc})"
                ) from exc
        else:
            questions.append(line)
    return questions
