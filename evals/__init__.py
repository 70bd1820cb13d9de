"""Citation-accuracy and extraction evals: gold sets, scorers, runs and reports.

Other packages use what this module exports, never its submodules.
"""

from sarcolit.evals.extraction_run import ExtractionRun, run_extraction_eval
from sarcolit.evals.gold import (
    EXTRACTION_GOLD,
    QA_GOLD,
    ExtractionGoldRow,
    GoldQuestion,
    QAGoldRow,
    corpus_of,
    load_corpus,
    load_extraction_gold,
    load_qa_gold,
)
from sarcolit.evals.qa_run import QARun, run_qa_eval
from sarcolit.evals.report import write_comparison
from sarcolit.evals.runs import (
    ITEMS,
    RESULTS,
    RunDiff,
    RunResults,
    check_gates,
    compare_runs,
    parse_thresholds,
)
from sarcolit.evals.support import JudgeFactory, SupportJudge, deterministic_judge
from sarcolit.evals.synthesis_gold import (
    SYNTHESIS_GOLD,
    SynthesisGoldRow,
    SynthesisQuestion,
    load_synthesis_gold,
)
from sarcolit.evals.synthesis_run import SynthesisRun, run_synthesis_eval

__all__ = [
    "EXTRACTION_GOLD",
    "ITEMS",
    "QA_GOLD",
    "RESULTS",
    "SYNTHESIS_GOLD",
    "ExtractionGoldRow",
    "ExtractionRun",
    "GoldQuestion",
    "JudgeFactory",
    "QAGoldRow",
    "QARun",
    "RunDiff",
    "RunResults",
    "SupportJudge",
    "SynthesisGoldRow",
    "SynthesisQuestion",
    "SynthesisRun",
    "check_gates",
    "compare_runs",
    "corpus_of",
    "deterministic_judge",
    "load_corpus",
    "load_extraction_gold",
    "load_qa_gold",
    "load_synthesis_gold",
    "parse_thresholds",
    "run_extraction_eval",
    "run_qa_eval",
    "run_synthesis_eval",
    "write_comparison",
]
