"""A candidate sentence in its context, and the verdict on it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sarcolit.core.models import Tags
from sarcolit.retrieval.sparse import DocHead


@dataclass(frozen=True)
class Setting:
    """A sentence and the context it is read in."""

    text: str
    own: Tags
    local: Tags
    """Entities of the sentences before it in its paragraph, and its section."""
    local_text: str
    subject: Tags
    """Entities of the trial its document reports (empty for reviews)."""
    header: str = ""
    """The header row, when the sentence is a table row."""
    section: str = ""
    head: DocHead | None = None
    doc_words: frozenset[str] = frozenset()
    """Lower-cased words of the whole document (single-trial texts only)."""
    tokens: frozenset[str] = frozenset()
    """Search tokens of the sentence and its table header."""
    before: Tags = field(default_factory=Tags)
    """Entities of the sentence just before it in its paragraph."""
    before_text: str = ""
    """The sentence just before it in its paragraph."""


@dataclass(frozen=True)
class Verdict:
    """How a sentence stands against the question's qualifiers."""

    violations: tuple[str, ...] = ()
    """Qualifiers the sentence contradicts: 'another subtype (LPS)'."""
    missing: tuple[str, ...] = ()
    """Qualifiers it does not show: 'UPS', 'ORR', '24-month'."""
    held: tuple[str, ...] = ()
    """Qualifiers it holds."""
    bonus: float = 0.0
    """Qualifiers held in the sentence itself count more than by context."""

    @property
    def ok(self) -> bool:
        """True when the sentence holds every qualifier and contradicts none."""
        return not self.violations and not self.missing


@dataclass
class Tally:
    """A verdict being written: what is held, missing and contradicted."""

    violations: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    bonus: float = 0.0

    def hold(self, what: str, weight: float) -> None:
        """Record a qualifier held, with how strongly (1.0: in the sentence)."""
        self.held.append(what)
        self.bonus += weight

    def verdict(self) -> Verdict:
        """Return the finished verdict."""
        return Verdict(
            violations=tuple(dict.fromkeys(self.violations)),
            missing=tuple(dict.fromkeys(m for m in self.missing if m)),
            held=tuple(dict.fromkeys(self.held)),
            bonus=self.bonus,
        )
