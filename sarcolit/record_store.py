"""Trial records of the ingested documents, kept in step with the store.

Records are extracted (by the rule-based extractor) when a document is
ingested, stored as JSON Lines in the data directory keyed by document id, and
refreshed when a document changes: a changed file is a new document id, so its
records are extracted anew and the old id's records are dropped. A change to
the extractor's code re-extracts everything. Another process that ingested
into the same store is caught up with on the next :meth:`RecordStore.sync`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from sarcolit.core.models import Document, TrialRecord

FILE = "records.jsonl"
DocumentsFn = Callable[[Sequence[str]], list[Document]]
ExtractFn = Callable[[Document], list[TrialRecord]]


class StoredRecords(BaseModel):
    """One line of the records file: a document's records and who extracted them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_id: str
    extractor: str
    records: tuple[TrialRecord, ...]


@lru_cache(maxsize=1)
def _code_digest() -> str:
    from sarcolit.extraction import extract_document  # only when records are read

    package = Path(extract_document.__code__.co_filename).parent
    digest = hashlib.sha256()
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def extractor_version(vocabulary_digest: str = "") -> str:
    """Return what made a record: the extraction code and the vocabulary.

    Records made by older code, or with another vocabulary, are stale.
    """
    return f"rules:{_code_digest()}:{vocabulary_digest[:16]}"


class RecordStore:
    """The records file of a data directory, loaded once and kept in step."""

    def __init__(self, folder: Path) -> None:
        """Use ``folder`` (created on first write) for the records file."""
        self.path = folder / FILE
        self._by_doc: dict[str, StoredRecords] | None = None

    def _load(self) -> dict[str, StoredRecords]:
        if self._by_doc is None:
            self._by_doc = {}
            if self.path.is_file():
                for line in self.path.read_text(encoding="utf-8").splitlines():
                    try:
                        stored = StoredRecords.model_validate_json(line)
                    except ValidationError:
                        continue  # a line from an older format: extracted again
                    self._by_doc[stored.doc_id] = stored
        return self._by_doc

    def _save(self, rows: Iterable[StoredRecords]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for row in rows:
                out.write(row.model_dump_json() + "\n")
        os.replace(temporary, self.path)

    def sync(
        self,
        doc_ids: Iterable[str],
        documents: DocumentsFn,
        extract: ExtractFn,
        version: str,
    ) -> bool:
        """Extract the documents that have no current records; drop removed ones.

        Args:
            doc_ids: The ids of every document in the library now.
            documents: Returns the documents (with text) of the given ids.
            extract: Returns a document's trial records.
            version: What ``extract`` is (see :func:`extractor_version`).

        Returns:
            True when the file changed.
        """
        stored = self._load()
        wanted = set(doc_ids)
        stale = [d for d in stored if d not in wanted]
        missing = sorted(
            d for d in wanted if d not in stored or stored[d].extractor != version
        )
        for doc_id in stale:
            del stored[doc_id]
        for document in documents(missing) if missing else []:
            stored[document.id] = StoredRecords(
                doc_id=document.id, extractor=version, records=tuple(extract(document))
            )
        if stale or missing:
            self._save(stored[d] for d in sorted(stored))
            return True
        return False

    def records(self, doc_ids: Iterable[str] | None = None) -> list[TrialRecord]:
        """Return the stored records (of ``doc_ids`` only, when given)."""
        stored = self._load()
        ids = sorted(stored) if doc_ids is None else [d for d in doc_ids if d in stored]
        return [record for d in ids for record in stored[d].records]
