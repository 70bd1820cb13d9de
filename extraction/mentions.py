"""The vocabulary's finders as extraction uses them, over one document at a time.

Extraction reads the agents, subtypes, classes, targets, trials and endpoint
keywords of :class:`~sarcolit.core.vocabulary.Vocabulary`, plus what a text
itself defines: an abbreviation written after a subtype's name ('synovial
sarcoma (SyS)', 'liposarcoma (LPS)') or before it in a table's legend ('LPS,
liposarcoma;') names that subtype in that text, and an
acronym the text calls a trial ('the KAPKEY study', '(SinAnloSarc):') is a
trial name. A :class:`Finder` is made per document (see
:func:`~sarcolit.extraction.rules.extract_rules`): the agents and subtypes of
its text are found once and later calls take slices.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sarcolit.core.models import EndpointName
from sarcolit.core.text import NCT, nct_id
from sarcolit.core.vocabulary import Mention, Vocabulary

NO_ENDPOINT = "none"
"""The family of a keyword whose values are not recorded ('partial response')."""
_WHOLE_TEXT = 400
"""Texts longer than this (documents) are searched once and the mentions kept."""
_DEFINED = re.compile(r"\s*\(([A-Z][A-Za-z]{1,7})\)")
# A table legend's entry: '...; LPS, liposarcoma; SS, synovial sarcoma.'
_LEGEND = re.compile(r"(?:^|[;.:]\s+|\n)([A-Z][A-Za-z]{1,7}),\s+$")
_LEGEND_END = re.compile(r"\s*(?:[;.\n]|$)")
_ACRONYM = r"[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
_CALLED_TRIAL = re.compile(
    rf"\b({_ACRONYM})\s+(?:(?:phase\s+[\dI]+|basket|pivotal|randomi[sz]ed)\s+)*"
    r"(?:trial|study|substudy)\b|"
    rf"\(({_ACRONYM})\)\s*:|^({_ACRONYM}):\s|\b(?:Study|Trial)\s+({_ACRONYM})\b",
    re.MULTILINE,
)
_NOT_TRIALS = frozenset(
    [
        "NCI", "SWOG", "FDA", "EMA", "ASCO", "ESMO", "CTOS", "SITC", "NCCN", "MD",
        "USA", "UK", "US", "TCR", "HLA", "ORR", "PFS", "OS", "DCR", "CR", "PR",
        "RECIST", "ECOG", "PD-1", "PD-L1", "CTLA-4", "CAR-T", "TCR-T", "TIL",
        "TILS", "AACR", "IRB", "CI", "II", "III", "IV", "IB",
    ]
)  # fmt: skip
Index = tuple[list[int], list[Mention]]


@dataclass(frozen=True, slots=True)
class Keyword:
    """An endpoint keyword found in the text, by family (see :data:`NO_ENDPOINT`)."""

    start: int
    end: int
    family: str


@dataclass
class Finder:
    """The vocabulary's finders, plus what a document defines, for one text."""

    vocab: Vocabulary
    _indexes: dict[tuple[str, int], tuple[str, Index]] = field(default_factory=dict)
    _defined: dict[int, tuple[str, dict[str, str]]] = field(default_factory=dict)

    # -- entities -------------------------------------------------------------

    def _indexed(
        self, kind: str, text: str, find: Callable[[str, int, int], list[Mention]]
    ) -> Index:
        key = (kind, id(text))
        cached = self._indexes.get(key)
        if cached is None or cached[0] is not text:
            found = find(text, 0, len(text))
            cached = (text, ([m.start for m in found], found))
            self._indexes[key] = cached
        return cached[1]

    def _slice(
        self,
        kind: str,
        text: str,
        start: int,
        end: int | None,
        find: Callable[[str, int, int], list[Mention]],
    ) -> list[Mention]:
        stop = len(text) if end is None else end
        if len(text) <= _WHOLE_TEXT:
            return find(text, start, stop)
        starts, mentions = self._indexed(kind, text, find)
        first = bisect.bisect_left(starts, start)
        last = bisect.bisect_left(starts, stop)
        return [m for m in mentions[first:last] if m.end <= stop]

    def agents(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return the agents named in ``text[start:end]``."""
        return self._slice("agents", text, start, end, self._agents)

    def _agents(self, text: str, start: int, stop: int) -> list[Mention]:
        return self.vocab.find_agents(text, start, stop)

    def subtypes(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return subtype mentions, the text's own abbreviations included."""
        return self._slice("subtypes", text, start, end, self._subtypes)

    def _subtypes(self, text: str, start: int, stop: int) -> list[Mention]:
        found = self.vocab.find_subtypes(text, start, stop)
        defined = self._abbreviations(text) if len(text) > _WHOLE_TEXT else {}
        if defined:
            names = "|".join(sorted(map(re.escape, defined), key=len, reverse=True))
            pattern = re.compile(rf"(?<![\w-])(?:{names})(?![\w-])")
            taken = [(m.start, m.end) for m in found]
            for match in pattern.finditer(text, start, stop):
                if not any(s < match.end() and match.start() < e for s, e in taken):
                    found.append(
                        Mention(
                            match.start(), match.end(), defined[match.group()],
                            "subtype",
                        )
                    )  # fmt: skip
        return sorted(found, key=lambda m: m.start)

    def _abbreviations(self, text: str) -> dict[str, str]:
        """Abbreviations the text defines for a subtype: 'synovial sarcoma (SyS)'.

        A table's legend defines them the other way round: 'LPS, liposarcoma;'.
        """
        cached = self._defined.get(id(text))
        if cached is not None and cached[0] is text:
            return cached[1]
        defined: dict[str, str] = {}
        for mention in self.vocab.find_subtypes(text):
            short = _DEFINED.match(text, mention.end)
            if short is None and _LEGEND_END.match(text, mention.end):
                short = _LEGEND.search(text[max(0, mention.start - 12) : mention.start])
            if short and not self.vocab.find_subtypes(short.group(1)):
                defined[short.group(1)] = mention.value
        self._defined[id(text)] = (text, defined)
        return defined

    def classes(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return mentions of intervention classes with no agent ('PD-1 inhibitors')."""
        return self._slice("classes", text, start, end, self._classes)

    def _classes(self, text: str, start: int, stop: int) -> list[Mention]:
        return [
            m
            for m in self.vocab.find_classes(text, start, stop)
            if self.vocab.classes[m.value].intervention
        ]

    def targets(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return targets (NY-ESO-1, MAGE-A4 ...) and HLA restrictions (kind 'hla')."""
        return self.vocab.find_targets(text, start, end)

    def nct_ids(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return NCT identifiers."""
        stop = len(text) if end is None else end
        return [
            Mention(m.start(), m.end(), nct_id(m), "nct")
            for m in NCT.finditer(text, start, stop)
        ]

    def trial_names(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return named trials: the vocabulary's, and acronyms called a trial."""
        return self._slice("trials", text, start, end, self._trial_names)

    def _trial_names(self, text: str, start: int, stop: int) -> list[Mention]:
        found = self.vocab.find_trials(text, start, stop)
        taken = [(m.start, m.end) for m in found]
        for match in _CALLED_TRIAL.finditer(text, start, stop):
            group = next(i for i in (1, 2, 3, 4) if match.group(i))
            name = match.group(group)
            inside = any(s <= match.start(group) < e for s, e in taken)
            known = self.vocab.canonical_agent(name) or name.upper() in _NOT_TRIALS
            if inside or known or NCT.fullmatch(name) or self.vocab.find_subtypes(name):
                continue
            found.append(Mention(match.start(group), match.end(group), name, "trial"))
        return sorted(found, key=lambda m: m.start)

    # -- endpoints ------------------------------------------------------------

    def family(self, endpoint: str) -> str:
        """Return an endpoint key, or :data:`NO_ENDPOINT` when it records no value."""
        return endpoint if self.vocab.endpoint_values(endpoint) else NO_ENDPOINT

    def keywords(self, text: str, start: int, end: int) -> list[Keyword]:
        """Return the endpoint keywords in ``text[start:end]``."""
        return [
            Keyword(m.start, m.end, self.family(m.value))
            for m in self.vocab.endpoint_keywords(text, start, end)
        ]

    def keyword_at(self, text: str, position: int, end: int) -> Keyword | None:
        """Return the endpoint keyword that starts at ``position``, if any."""
        found = self.vocab.endpoint_keyword_at(text, position, end)
        return (
            Keyword(found.start, found.end, self.family(found.value)) if found else None
        )

    def compatible(self, family: str, unit: str) -> bool:
        """Return True when an endpoint family takes a value in ``unit``."""
        return unit in self.vocab.endpoint_values(family)

    def endpoint_of(self, family: str, unit: str) -> EndpointName | None:
        """Return the endpoint a family takes for a value in ``unit``."""
        return self.vocab.endpoint_values(family).get(unit)

    def counted_in_patients(self) -> str:
        """Return the family counted in patients (complete responses)."""
        found = [f for f in self.vocab.endpoints if self.compatible(f, "patients")]
        return found[0] if found else NO_ENDPOINT
