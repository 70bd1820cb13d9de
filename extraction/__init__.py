"""Trial-record extraction: rule-based by default, LLM-assisted on request, in batch.

Other packages use what this module exports, never its submodules.
"""

from sarcolit.extraction.batch import (
    BatchReport,
    CsvFormat,
    Failure,
    Progress,
    run_batch,
    run_documents,
)
from sarcolit.extraction.export import rows as csv_rows
from sarcolit.extraction.export import write_csv
from sarcolit.extraction.extract import DocumentResult, extract_document
from sarcolit.extraction.grounding import evidence_problem, ground
from sarcolit.extraction.merge import merge_records
from sarcolit.extraction.rules import extract_rules
from sarcolit.extraction.wide import (
    KEY_COLUMNS,
    WIDE_COLUMNS,
    Cell,
    Stated,
    WideRow,
    wide_rows,
    write_wide_csv,
)

__all__ = [
    "KEY_COLUMNS",
    "WIDE_COLUMNS",
    "BatchReport",
    "Cell",
    "CsvFormat",
    "DocumentResult",
    "Failure",
    "Progress",
    "Stated",
    "WideRow",
    "csv_rows",
    "evidence_problem",
    "extract_document",
    "extract_rules",
    "ground",
    "merge_records",
    "run_batch",
    "run_documents",
    "wide_rows",
    "write_csv",
    "write_wide_csv",
]
