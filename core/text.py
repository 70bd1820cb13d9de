"""Text utilities every stage shares: one definition of each pattern and table.

NCT identifiers, number words, citation markers, stop words and the folding of
names (lowercase; dashes, underscores and spaces as one space) live here and
nowhere else.
"""

from __future__ import annotations

import re

# --- Names -------------------------------------------------------------------

SEPARATORS = r"\s\-_\u2010-\u2015\u2212\u00ad"
"""Characters that separate the words of a name: spaces, dashes, soft hyphens."""
_SEPARATOR_RUNS = re.compile(f"[{SEPARATORS}]+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def fold(text: str) -> str:
    """Return the matching form of a name: lowercase, dashes and spaces as one space.

    'Lete-cel', 'lete cel' and 'LETE\u2013CEL' all fold to 'lete cel'.
    """
    return _SEPARATOR_RUNS.sub(" ", text.lower().translate(_QUOTES)).strip()


# --- Trial registry identifiers ------------------------------------------------

NCT = re.compile(r"\bNCT ?(\d{8})\b", re.IGNORECASE)
"""A ClinicalTrials.gov identifier; group 1 holds its eight digits."""


def nct_id(match: re.Match[str]) -> str:
    """Return the canonical form ('NCT03277924') of a match of :data:`NCT`."""
    return "NCT" + match.group(1)


# --- Number words ----------------------------------------------------------------

_UNIT_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TEN_WORDS = [
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
]
UNITS = {word: value for value, word in enumerate(_UNIT_WORDS)}
TENS = {word: 10 * value for value, word in enumerate(_TEN_WORDS, start=2)}
_ONES = "|".join(sorted((w for w, n in UNITS.items() if 1 <= n <= 9), key=len)[::-1])
_DASH = r"[\-\u2010\u2011 ]"
WORD_NUMBER_SOURCE = (
    rf"(?:one{_DASH}hundred|(?:{'|'.join(TENS)})(?:{_DASH}(?:{_ONES}))?"
    rf"|{'|'.join(sorted(UNITS, key=len, reverse=True))})"
)
"""A regex (no groups, lowercase) for 'zero' ... 'ninety-nine' and 'one hundred'.

Embed it with ``(?i:...)`` to accept capitalised words ('Twenty-one').
"""
WORD_NUMBER = re.compile(rf"\b{WORD_NUMBER_SOURCE}\b", re.IGNORECASE)


def word_number_value(word: str) -> int | None:
    """Return the value of a number word ('Twenty-one' -> 21), or None."""
    parts = re.split(f"{_DASH}+", word.strip().lower())
    if parts == ["one", "hundred"]:
        return 100
    if len(parts) == 1:
        return UNITS.get(parts[0], TENS.get(parts[0]))
    tens, ones = parts if len(parts) == 2 else ("", "")
    if tens in TENS and 1 <= UNITS.get(ones, 0) <= 9:
        return TENS[tens] + UNITS[ones]
    return None


def words_to_digits(text: str, *, keep_one: bool = False) -> str:
    """Write number words as digits: "eighteen" -> "18", "twenty-one" -> "21".

    Args:
        text: Any text.
        keep_one: Leave "one" as a word; it is mostly a pronoun ("one of the
            trials"), which matters when numbers are checked against sources.
    """

    def value(match: re.Match[str]) -> str:
        word = match.group()
        if keep_one and word.lower() == "one":
            return word
        return str(word_number_value(word))

    return WORD_NUMBER.sub(value, text)


# --- Citation markers ------------------------------------------------------------

_MARKER_NUMBERS = r"\d{1,3}(?:\s*[,;\-\u2013]\s*\d{1,3})*"
SQUARE_MARKER = rf"\s*\[({_MARKER_NUMBERS})\]"
"""A bracketed marker ('[4]', '[1, 2]', '[1-3]'); group 1 holds its numbers."""
CITATION_MARKER = re.compile(rf"{SQUARE_MARKER}|\s*\(({_MARKER_NUMBERS})\)")
"""A citation marker, bracketed ('[4]', '[1-3]') or in parentheses ('(12, 13)').

Group 1 holds the numbers of a bracketed marker, group 2 those of one in
parentheses. Answers cite passages with bracketed markers only.
"""


def marker_numbers(numbers: str) -> tuple[int, ...]:
    """Return the numbers a marker cites: '1, 3' -> (1, 3), '2-4' -> (2, 3, 4)."""
    cited: list[int] = []
    for part in re.split(r"[,;]", numbers):
        bounds = [int(b) for b in re.split(r"[\-\u2013]", part) if b.strip()]
        if len(bounds) == 2 and bounds[0] <= bounds[1]:
            cited.extend(range(bounds[0], bounds[1] + 1))
        else:
            cited.extend(bounds)
    return tuple(dict.fromkeys(cited))


def strip_citation_markers(text: str) -> str:
    """Return ``text`` without citation markers of either form."""
    return CITATION_MARKER.sub("", text)


# --- Stop words ------------------------------------------------------------------

_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because
    been before being below between both but by can could did do does doing down
    during each few for from further had has have having he her here hers him his
    how i if in into is it its itself just me more most my no nor not now of off on
    once only or other our out over own same she should so some such than that the
    their them then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your
    yours

    reported showed shown study studies trial trials patient patients
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""English function words and the reporting words every passage shares."""
