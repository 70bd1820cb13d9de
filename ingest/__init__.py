"""Reading, normalising, chunking, tagging, embedding and storing documents."""

from ingest.catalog import Collections, DocInfo, open_collections
from ingest.embed import embed, load_embedder
from ingest.normalize import normalize
from ingest.pipeline import FileOutcome, IngestReport, expand_paths, ingest_paths
from ingest.readers import READERS, read_document

__all__ = [
    "READERS",
    "Collections",
    "DocInfo",
    "FileOutcome",
    "IngestReport",
    "embed",
    "expand_paths",
    "ingest_paths",
    "load_embedder",
    "normalize",
    "open_collections",
    "read_document",
]
