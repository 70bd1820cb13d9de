"""Compiled matchers behind :class:`sarcolit.core.vocabulary.Vocabulary`.

A :class:`Matcher` finds many names in one pass: names are factored into a
trie-shaped regular expression over the raw text (so spans are offsets into
it), matched case-insensitively with any run of dashes and spaces between words;
abbreviations are matched case-sensitively. A match is looked up in a table
to get what it means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TypeAlias

from sarcolit.core.text import SEPARATORS, fold

_Trie: TypeAlias = dict[str, "_Trie"]
_SEPARATOR_RUNS = re.compile(f"[{SEPARATORS}]+")


@dataclass(frozen=True, slots=True)
class Mention:
    """A recognised entity: its span in the text, canonical value and kind.

    ``kind`` is 'agent', 'class', 'subtype', 'target', 'hla' or 'trial';
    ``classes`` holds an agent's classes, or the classes a class phrase names.
    """

    start: int
    end: int
    value: str
    kind: str
    classes: tuple[str, ...] = ()

    @property
    def agent_class(self) -> str | None:
        """The agent's own class (its first), or the class a phrase names."""
        if self.kind == "class":
            return self.value
        return self.classes[0] if self.classes else None


def squash(text: str) -> str:
    """Return an abbreviation's lookup form: separator runs as one space."""
    return _SEPARATOR_RUNS.sub(" ", text).strip()


def _trie(terms: Iterable[str]) -> _Trie:
    root: _Trie = {}
    for term in terms:
        node = root
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}
    return root


def _char(char: str) -> str:
    if char == " ":
        return f"[{SEPARATORS}]+"
    if char == "'":
        return "['\u2019]"
    return re.escape(char)


def _node(node: _Trie) -> str:
    branches = [_char(c) + _node(child) for c, child in sorted(node.items()) if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def trie_regex(terms: Iterable[str]) -> str:
    """Return an alternation of ``terms`` factored as a trie (longest first)."""
    return _node(_trie(terms))


def alternation(terms: Iterable[str], *, plural: bool) -> str:
    """Return a whole-word regex source for ``terms`` ('' when there are none)."""
    listed = [t for t in terms if t]
    if not listed:
        return ""
    tail = "s?" if plural else ""
    return rf"(?<!\w)(?:{trie_regex(listed)}){tail}(?!\w)"


class Matcher:
    """Finds the names of one kind of entity and says what each one means.

    Args:
        names: Folded names (see :func:`~sarcolit.core.text.fold`) and their
            meanings, matched case-insensitively.
        abbreviations: Abbreviations (squashed) and their meanings, matched
            case-sensitively.
        plural: Also accept each name with a plural 's'.
        not_before: A regex; a name followed by it is not a match.
    """

    def __init__(
        self,
        names: Mapping[str, tuple[str, ...]],
        abbreviations: Mapping[str, tuple[str, ...]] = {},
        *,
        plural: bool = False,
        not_before: str = "",
    ) -> None:
        """Keep the tables; the patterns are compiled on first use, once."""
        self.names = dict(names)
        self.abbreviations = dict(abbreviations)
        self.plural = plural
        self._after = f"(?!{not_before})" if not_before else ""

    @cached_property
    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        names = alternation(self.names, plural=self.plural)
        short = alternation(self.abbreviations, plural=self.plural)
        return (
            re.compile(names + self._after, re.IGNORECASE) if names else None,
            re.compile(short + self._after) if short else None,
        )

    def _meaning(
        self, table: Mapping[str, tuple[str, ...]], key: str
    ) -> tuple[str, ...]:
        if key in table:
            return table[key]
        if self.plural and key.endswith(("s", "S")) and key[:-1] in table:
            return table[key[:-1]]
        return ()

    def lookup(self, name: str) -> tuple[str, ...]:
        """Return what a whole name means (abbreviations first), or ()."""
        return self._meaning(self.abbreviations, squash(name)) or self._meaning(
            self.names, fold(name)
        )

    def spans(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[tuple[int, int, tuple[str, ...]]]:
        """Return (start, end, meaning) of every name in ``text[start:end]``.

        Overlapping matches keep the longest; a name that means nothing (an
        excluded phrase) still hides the shorter names inside it.
        """
        stop = len(text) if end is None else end
        found: list[tuple[int, int, tuple[str, ...]]] = []
        names, short = self._patterns
        for pattern, table, key in (
            (names, self.names, fold),
            (short, self.abbreviations, squash),
        ):
            if pattern is None:
                continue
            for match in pattern.finditer(text, start, stop):
                meaning = self._meaning(table, key(match.group()))
                found.append((match.start(), match.end(), meaning))
        return [s for s in drop_overlaps(found) if s[2]]


def drop_overlaps(
    spans: list[tuple[int, int, tuple[str, ...]]],
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Keep the longest of overlapping spans, then sort by position."""
    kept: list[tuple[int, int, tuple[str, ...]]] = []
    for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s[0])


def drop_overlapping_mentions(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions, then sort by position."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start - m.end, m.start)):
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)
