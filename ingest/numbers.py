"""Number words as digits, shared by answer verification and answer scoring."""

from __future__ import annotations

import re

_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
)
_TEN_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_UNITS = {word: value for value, word in enumerate(_UNIT_WORDS.split())}
_TENS = {word: 10 * value for value, word in enumerate(_TEN_WORDS.split(), start=2)}
_ONES = "|".join(w for w, n in _UNITS.items() if 1 <= n <= 9)
_WORD_NUMBER = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[- ](?P<ones>{_ONES}))?"
    rf"|(?P<unit>{'|'.join(_UNITS)}))\b",
    re.IGNORECASE,
)


def words_to_digits(text: str, *, keep_one: bool = False) -> str:
    """Write number words as digits: "eighteen" -> "18", "twenty-one" -> "21".

    Args:
        text: Any text.
        keep_one: Leave "one" as a word; it is mostly a pronoun ("one of the
            trials"), which matters when numbers are checked against sources.
    """

    def value(match: re.Match[str]) -> str:
        unit = match.group("unit")
        if unit is not None:
            if keep_one and unit.lower() == "one":
                return unit
            return str(_UNITS[unit.lower()])
        ones = match.group("ones")
        return str(
            _TENS[match.group("tens").lower()] + (_UNITS[ones.lower()] if ones else 0)
        )

    return _WORD_NUMBER.sub(value, text)
