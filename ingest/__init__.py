"""Reading, normalising, chunking, tagging, embedding and storing documents."""

from sarcolit.ingest.catalog import Collections, DocInfo, open_collections
from sarcolit.ingest.embed import embed, load_embedder
from sarcolit.ingest.instructions import is_instruction
from sarcolit.ingest.normalize import normalize
from sarcolit.ingest.pipeline import (
    FileOutcome,
    IngestReport,
    expand_paths,
    ingest_paths,
)
from sarcolit.ingest.readers import READERS, read_document

__all__ = [
    "READERS",
    "Collections",
    "DocInfo",
    "FileOutcome",
    "IngestReport",
    "embed",
    "expand_paths",
    "ingest_paths",
    "is_instruction",
    "load_embedder",
    "normalize",
    "open_collections",
    "read_document",
]
