"""Names in a question that no vocabulary entry covers (KAPKEY, SAINT, Livingston).

Acronyms and code names must hold for an answer; capitalised words only count in
its favour. A molecule ('PD-L1', 'NY-ESO-1') or its status ('PD-L1-positive') is
no study's name. Read by :func:`sarcolit.retrieval.question.parse_question`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sarcolit.core.models import Tags
from sarcolit.core.text import fold
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval.facts import endpoints_in, entities_in
from sarcolit.retrieval.qualifiers import SOURCE_PATTERNS, SOURCES, YEAR

# Words that, capitalised in a question, are not names of a trial or a study:
# sentence openers, question words, abbreviations of endpoints and units.
_NOT_NAMES = frozenset(
    [
        "a",
        "an",
        "the",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "when",
        "where",
        "why",
        "did",
        "does",
        "do",
        "was",
        "were",
        "is",
        "are",
        "in",
        "on",
        "at",
        "of",
        "for",
        "per",
        "with",
        "and",
        "or",
        "to",
        "by",
        "from",
        "according",
        "after",
        "before",
        "during",
        "among",
        "between",
        "versus",
        "vs",
        "than",
        "as",
        "ci",
        "hr",
        "orr",
        "pfs",
        "os",
        "dcr",
        "cbr",
        "dor",
        "cr",
        "pr",
        "sd",
        "pd",
        "dfs",
        "efs",
        "rfs",
        "ae",
        "aes",
        "trae",
        "traes",
        "teae",
        "irae",
        "recist",
        "mg",
        "kg",
        "gy",
        "pet",
        "ct",
        "nct",
        "hla",
        "clinicaltrials",
        "clinicaltrials.gov",
        "pet/ct",
        "alt",
        "ast",
        "ldh",
        "us",
        "usa",
        "uk",
        "nci",
        "nih",
        "phase",
        "cohort",
        "arm",
        "trial",
        "study",
        "grade",
        "median",
        "overall",
        "survival",
    ]
)
_NAME = re.compile(r"(?<![\w-])([A-Za-z][\w/.]*[A-Z0-9][\w-]*|[A-Z][A-Za-z]*[-][\w-]+)")
_CAPITAL_WORD = re.compile(r"(?<![\w-])([A-Z][a-z]{2,})(?![\w-])")
_AUTHOR = re.compile(r"\b([A-Z][a-z]{2,})(?= et al\b| and colleagues\b)")


@lru_cache(maxsize=4)
def _class_text(vocabulary: Vocabulary) -> str:
    """Return every name of every agent class and biomarker, folded, one a line."""
    names = [n for c in vocabulary.classes for n in vocabulary.names_of("class", c)]
    for spec in vocabulary.biomarkers.values():
        names += [*spec.names, *spec.abbreviations]
    return "\n".join(fold(n) for n in names)


_STATUS = re.compile(
    r"(?:[-\s](?:positive|negative|high|low|expressing|deficient|proficient)|\+)$",
    re.IGNORECASE,
)


def _is_name(word: str, question: str, entities: Tags, vocabulary: Vocabulary) -> bool:
    """Return True when ``word`` is a name no vocabulary entry covers."""
    low = word.lower()
    sources = {a for aliases in SOURCES.values() for a in aliases}
    if len(word) < 3 or low in _NOT_NAMES or low in sources or YEAR.fullmatch(word):
        return False
    if any(low in v.lower() for v in (*entities.trials, *entities.nct_ids)):
        return False
    if entities_in(word, vocabulary) != Tags() or endpoints_in(word, vocabulary):
        return False
    molecule = _STATUS.sub("", word)  # 'PD-L1-positive' is PD-L1's status
    if vocabulary.find_targets(molecule) or fold(molecule) in _class_text(vocabulary):
        return False  # a molecule ('PD-L1', 'NY-ESO-1'), not a study
    # A word of an entity's name ("Ewing" in "Ewing sarcoma") is not a name.
    rest = entities_in(question.replace(word, " "), vocabulary)
    return all(
        getattr(rest, f) == getattr(entities, f)
        for f in ("trials", "nct_ids", "agents", "subtypes")
    )


def names_in(
    question: str, entities: Tags, vocabulary: Vocabulary
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the acronyms and the capitalised words no vocabulary entry covers.

    Acronyms and code names (KAPKEY, SAINT, IGNYTE-ESO) must hold for an answer;
    capitalised words (Livingston, Alliance) only count in its favour.
    """
    text = question
    for pattern in SOURCE_PATTERNS.values():  # "Clinical Cancer Research" is a source
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    acronyms = [m.group(1).strip(".-/") for m in _NAME.finditer(text)]
    words = [m.group(1) for m in _CAPITAL_WORD.finditer(text) if m.start() > 0]
    authors = [m.group(1) for m in _AUTHOR.finditer(text)]
    hard = [
        w
        for w in dict.fromkeys([*acronyms, *authors])
        if _is_name(w, question, entities, vocabulary)
    ]
    soft = [
        w
        for w in dict.fromkeys(words)
        if w not in hard and _is_name(w, question, entities, vocabulary)
    ]
    # A molecule's status ('PD-L1-positive') is no study, but it counts in favour.
    soft += [w for w in acronyms if _STATUS.search(w) and w not in hard + soft]
    return tuple(hard), tuple(soft)


def plain_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """Return the names that are no molecule's status ('PD-L1-positive' is asked)."""
    return tuple(n for n in names if not _STATUS.search(n))
