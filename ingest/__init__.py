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
from sarcolit.ingest.context import with_context
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
from sarcolit.ingest.reembedding import reindex
from sarcolit.ingest.space import (
    EmbedderRecord,
    check_embedder,
    claim_store,
    stored_record,
)
from sarcolit.ingest.tags import tag_text

__all__ = [
    "READERS",
    "Collections",
    "DocInfo",
    "EmbedderRecord",
    "FileOutcome",
    "IngestReport",
    "check_embedder",
    "check_file",
    "chunk_document",
    "chunk_from_row",
    "claim_store",
    "expand_paths",
    "get_documents",
    "ingest_paths",
    "is_instruction",
    "list_documents",
    "normalize",
    "open_collections",
    "read_document",
    "reindex",
    "sentence_spans",
    "stored_record",
    "tag_key",
    "tag_text",
    "walk",
    "with_context",
]
