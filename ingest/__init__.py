"""Reading, normalising, chunking, tagging, embedding and storing documents.

Other packages use what this module exports, never its submodules.
"""

from sarcolit.ingest.catalog import (
    Collections,
    DocInfo,
    chunk_from_row,
    get_documents,
    list_documents,
    open_collections,
    tag_key,
)
from sarcolit.ingest.chunking import chunk_document, sentence_spans
from sarcolit.ingest.embedding import embed, load_embedder
from sarcolit.ingest.instructions import is_instruction
from sarcolit.ingest.normalization import normalize
from sarcolit.ingest.pipeline import (
    FileOutcome,
    IngestReport,
    expand_paths,
    ingest_paths,
    walk,
)
from sarcolit.ingest.readers import READERS, check_file, read_document
from sarcolit.ingest.tags import tag_text

__all__ = [
    "READERS",
    "Collections",
    "DocInfo",
    "FileOutcome",
    "IngestReport",
    "check_file",
    "chunk_document",
    "chunk_from_row",
    "embed",
    "expand_paths",
    "get_documents",
    "ingest_paths",
    "is_instruction",
    "list_documents",
    "load_embedder",
    "normalize",
    "open_collections",
    "read_document",
    "sentence_spans",
    "tag_key",
    "tag_text",
    "walk",
]
