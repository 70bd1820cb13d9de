"""Reading, normalising, chunking, tagging, embedding and storing documents."""

from sarcolit.ingest.catalog import Collections, DocInfo, open_collections
from sarcolit.ingest.normalize import normalize
from sarcolit.ingest.pipeline import (
    FileOutcome,
    IngestReport,
    expand_paths,
    ingest_paths,
)
from sarcolit.ingest.readers import READERS, read_document
from sarcolit.ingest.reindex import reindex
from sarcolit.ingest.space import (
    EmbedderRecord,
    check_embedder,
    claim_store,
    stored_record,
)

__all__ = [
    "READERS",
    "Collections",
    "DocInfo",
    "EmbedderRecord",
    "FileOutcome",
    "IngestReport",
    "check_embedder",
    "claim_store",
    "expand_paths",
    "ingest_paths",
    "normalize",
    "open_collections",
    "read_document",
    "reindex",
    "stored_record",
]
