"""Trial-record extraction: rule-based by default, LLM-assisted on request, in batch."""

from extraction.batch import BatchReport, Failure, run_batch, run_documents
from extraction.export import write_csv
from extraction.extract import DocumentResult, extract_document
from extraction.grounding import ground
from extraction.merge import merge_records
from extraction.rules import extract_rules

__all__ = [
    "BatchReport",
    "DocumentResult",
    "Failure",
    "extract_document",
    "extract_rules",
    "ground",
    "merge_records",
    "run_batch",
    "run_documents",
    "write_csv",
]
