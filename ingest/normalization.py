"""The one text normalisation, applied to document text at ingest and to queries.

Every offset stored anywhere in sarcolit points into text produced by
:func:`normalize`, so it must be deterministic and idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# NFKC runs first (ligatures, NBSP, full-width forms); this table then folds what
# NFKC leaves alone: dash variants, minus signs, curly quotes, invisible characters.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Invisible characters go before NFKC: removed after it, one between a letter and
# a combining mark would leave a pair that a second NFKC composes (not idempotent).
_REMOVE_INVISIBLE: dict[int, str | None] = {ord(c): None for c in _INVISIBLE}
_TRANSLATION: dict[int, str | None] = {
    **{ord(c): "-" for c in _DASHES},
    **{ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u00b4"},
    **{ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033"},
    ord("\r"): "\n",
    ord("\u2028"): "\n",
    ord("\u2029"): "\n",
    ord("\x85"): "\n",
    ord("\x0b"): " ",
    ord("\x0c"): " ",
}
# Lancet-style decimals ("0·61", "4·7 months") read as decimal points; the
# replacement keeps every offset, one character for one.
_MIDDLE_DOT_DECIMAL = re.compile(r"(?<=\d)[\u00b7\u2219\u22c5](?=\d)")
_SPACE_RUNS = re.compile(r"[ \t]+")
_TRAILING_SPACE = re.compile(r" +(?=\n|\Z)")


def normalize(text: str) -> str:
    """Return the canonical form of ``text``; offsets everywhere point into it.

    NFKC, dashes and minus signs to ASCII '-', curly quotes to straight quotes,
    a middle dot between digits to a decimal point ('0·61' -> '0.61'),
    soft hyphens and zero-width characters removed, runs of spaces and tabs
    collapsed to one space, trailing spaces stripped from every line. Newlines
    are kept (CR and CRLF become LF).
    """
    text = text.replace("\r\n", "\n").translate(_REMOVE_INVISIBLE)
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATION)
    text = _MIDDLE_DOT_DECIMAL.sub(".", text)
    text = _SPACE_RUNS.sub(" ", text)
    return _TRAILING_SPACE.sub("", text)


_LINE_END_HYPHEN = re.compile(r"(\w*)[-\u2010\u2011][ \t]*\n[ \t]*(\w*)")
_COMPOUND = re.compile(r"\b([a-z]+)-([a-z]+)\b")
_SOFT_HYPHEN_BREAK = re.compile(r"\u00ad[ \t]*\n[ \t]*")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


def compounds(text: str) -> frozenset[str]:
    """Return the hyphenated lowercase compounds written within lines of ``text``.

    A PDF reader passes them to :func:`dehyphenate`: a word the document itself
    writes with a hyphen ('progression-free') keeps it when a line break falls
    on that hyphen.
    """
    return frozenset(m.group().lower() for m in _COMPOUND.finditer(text))


def _joiner(keep: frozenset[str]) -> Callable[[re.Match[str]], str]:
    def join(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        word_break = (
            left[-1:].isalpha()
            and left[-1:].islower()
            and right[:1].isalpha()
            and right[:1].islower()
        )
        if word_break and f"{left}-{right}".lower() not in keep:
            return left + right
        return f"{left}-{right}"

    return join


def dehyphenate(text: str, keep: frozenset[str] = frozenset()) -> str:
    r"""Join the lines of PDF paragraph text, undoing hyphenation at line ends.

    A hyphen at a line end is dropped when a lowercase letter stands on both
    sides ('immuno-\\ntherapy' -> 'immunotherapy'), unless the hyphenated word
    is in ``keep`` (see :func:`compounds`); otherwise it is kept ('PD-\\nL1' ->
    'PD-L1'). Other line breaks become one space; blank lines (paragraph
    breaks) are kept as one blank line.
    """
    join = _joiner(keep)
    paragraphs = _PARAGRAPH_BREAK.split(text.strip())
    joined = []
    for paragraph in paragraphs:
        paragraph = _SOFT_HYPHEN_BREAK.sub("", paragraph)
        paragraph = _LINE_END_HYPHEN.sub(join, paragraph)
        joined.append(_LINE_BREAK.sub(" ", paragraph))
    return "\n\n".join(joined)
