"""One vocabulary of agents, classes, subtypes, targets, trials and endpoints.

It is data: ``vocabulary.toml`` next to this module, optionally extended by a
user file named in ``Settings.vocabulary`` (``SARCOLIT_VOCABULARY``). Tagging,
search, extraction and the evals read it through :class:`Vocabulary`::

    vocabulary = load_vocabulary(settings.vocabulary)
    vocabulary.find_agents("pembrolizumab plus axitinib")
    vocabulary.agents_in_class("anti-PD-1")  # ('camrelizumab', ..., 'toripalimab')
    vocabulary.canonical_subtype("synovial sarcoma")  # 'SS'
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sarcolit.core._vocabulary_file import (
    AgentSpec,
    BiomarkerSpec,
    ClassSpec,
    EndpointSpec,
    RawVocabulary,
    SubtypeSpec,
    TargetSpec,
    TrialSpec,
    read_file,
)
from sarcolit.core._vocabulary_match import (
    Matcher,
    Mention,
    drop_overlapping_mentions,
    squash,
)
from sarcolit.core._vocabulary_tables import SEPARATOR, Tables, build_tables, section
from sarcolit.core.errors import ConfigError
from sarcolit.core.models import EndpointName
from sarcolit.core.text import fold

BUNDLED = Path(__file__).with_name("vocabulary.toml")
"""The vocabulary shipped with sarcolit."""

__all__ = [
    "BUNDLED",
    "Mention",
    "Vocabulary",
    "default_vocabulary",
    "is_known_class",
    "load_vocabulary",
]
# Every vocabulary loaded in this process (the cache below keeps the recent ones).
_LOADED: weakref.WeakSet[Vocabulary] = weakref.WeakSet()


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The entries of the vocabulary and matchers compiled from them (read-only).

    Build one with :func:`load_vocabulary`; every method is safe to call from
    several threads.
    """

    agents: Mapping[str, AgentSpec]
    classes: Mapping[str, ClassSpec]
    subtypes: Mapping[str, SubtypeSpec]
    targets: Mapping[str, TargetSpec]
    trials: Mapping[str, TrialSpec]
    endpoints: Mapping[str, EndpointSpec]
    biomarkers: Mapping[str, BiomarkerSpec]
    sources: tuple[Path, ...]
    digest: str = field(repr=False)
    _t: Tables = field(repr=False)

    # -- finding mentions ---------------------------------------------------

    def _mentions(
        self, matcher: Matcher, kind: str, text: str, start: int, end: int | None
    ) -> list[Mention]:
        return [
            Mention(s, e, values[0], kind)
            for s, e, values in matcher.spans(text, start, end)
        ]

    def find_agents(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return the agents named in ``text[start:end]`` with their classes."""
        return [
            Mention(s, e, agent, "agent", self.agents[agent].classes)
            for s, e, (agent, *_) in self._t.agents.spans(text, start, end)
        ]

    def find_classes(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return mentions of agent classes ('PD-1 inhibitors', 'TCR-T').

        A phrase naming several classes ('PD-1/PD-L1 inhibitors') has them all in
        ``classes`` and the most specific class they share as its value.
        """
        return [
            Mention(s, e, self.common_class(classes), "class", classes)
            for s, e, classes in self._t.classes.spans(text, start, end)
        ]

    def find_subtypes(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return sarcoma-subtype mentions; each value is a subtype code ('SS')."""
        return self._mentions(self._t.subtypes, "subtype", text, start, end)

    def find_targets(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return targets and antigens (NY-ESO-1, MAGE-A4 ...) and HLA restrictions."""
        found = self._mentions(self._t.targets, "target", text, start, end)
        if self._t.hla is not None:
            stop = len(text) if end is None else end
            found += [
                Mention(m.start(), m.end(), _hla(m.group()), "hla")
                for m in self._t.hla.finditer(text, start, stop)
            ]
        return drop_overlapping_mentions(found)

    def find_trials(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return named trials and trials of a series, by canonical name."""
        found = self._mentions(self._t.trials, "trial", text, start, end)
        found += self.find_series(text, start, end)
        return drop_overlapping_mentions(found)

    def find_series(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return the trials of a series ('SARC-032' -> SARC032), by canonical name."""
        stop = len(text) if end is None else end
        found = []
        for match in self._t.series.finditer(text, start, stop):
            name = match.lastgroup or ""
            number = match.group(self._t.series.groupindex[name] + 1)
            template = self._t.series_names[name]
            found.append(
                Mention(match.start(), match.end(), template.format(number), "trial")
            )
        return found

    def entities(self, text: str) -> list[Mention]:
        """Return the agents, classes, subtypes and named trials in ``text``, at once.

        Faster than the four finders, for tagging whole passages; where names
        of two kinds overlap the longer wins. Trial series are not included
        (see :meth:`find_trials`).
        """
        found: list[Mention] = []
        for start, end, meanings in self._t.entities.spans(text):
            for meaning in meanings:
                kind, value = meaning.split(SEPARATOR, 1)
                if kind == "agent":
                    if self._t.measured and self._t.measured.match(text, end):
                        continue
                    classes = self.agents[value].classes
                    found.append(Mention(start, end, value, kind, classes))
                elif kind == "class":
                    found.append(Mention(start, end, value, kind, (value,)))
                else:
                    found.append(Mention(start, end, value, kind))
        return found

    def endpoint_keywords(
        self, text: str, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Return the endpoint names, abbreviations and cues in ``text[start:end]``.

        Where two entries match at one place, the earlier in the file wins.
        """
        stop = len(text) if end is None else end
        return [
            Mention(
                m.start(),
                m.end(),
                self._t.endpoint_groups[m.lastgroup or ""],
                "endpoint",
            )
            for m in self._t.endpoint_keywords.finditer(text, start, stop)
        ]

    def endpoint_keyword_at(self, text: str, position: int, end: int) -> Mention | None:
        """Return the endpoint keyword that starts exactly at ``position``, if any."""
        match = self._t.endpoint_keywords.match(text, position, end)
        if match is None:
            return None
        endpoint = self._t.endpoint_groups[match.lastgroup or ""]
        return Mention(match.start(), match.end(), endpoint, "endpoint")

    def search_terms(self, text: str) -> str:
        """Rewrite the names of entries that have a search ``term`` as that term.

        "objective response rate" becomes "orr", so a question that spells an
        endpoint out matches a passage that abbreviates it, and the reverse.
        """
        spans = self._t.terms.spans(text)
        if not spans:
            return text
        pieces: list[str] = []
        position = 0
        for start, end, (term, *_) in spans:
            pieces += [text[position:start], term]
            position = end
        pieces.append(text[position:])
        return "".join(pieces)

    # -- canonical names ------------------------------------------------------

    def canonical_agent(self, name: str) -> str | None:
        """Return the agent a generic, brand or code name means, or None.

        'Keytruda' and 'MK-3475' give 'pembrolizumab'.
        """
        found = self._t.agents.lookup(name)
        return found[0] if found else None

    def canonical_class(self, name: str) -> str | None:
        """Return the class a name, label or phrase means ('car t' -> 'CAR-T')."""
        folded = fold(name)
        if folded in self._t.class_names:
            return self._t.class_names[folded]
        found = self._t.classes.lookup(name)
        return self.common_class(found) if found else None

    def canonical_subtype(self, name: str) -> str | None:
        """Return the subtype code for a name, code or abbreviation, or None.

        'synovial sarcoma', 'SS' and 'ss' all give 'SS'; 'MLS' gives 'MRCLS'.
        """
        found = self._t.subtypes.abbreviations.get(squash(name))
        if found:
            return found[0]
        code = self._t.subtype_codes.get(fold(name))
        if code is not None:
            return code
        found = self._t.subtypes.lookup(name)
        return found[0] if found else None

    def canonical_trial(self, name: str) -> str | None:
        """Return the canonical name of a trial ('sarc 028' -> 'SARC028'), or None."""
        found = self.find_trials(name)
        return found[0].value if found else None

    def endpoint_of(self, phrase: str) -> str | None:
        """Return the endpoint a phrase names ('objective response rate' -> 'ORR')."""
        found = self._t.endpoint_names.lookup(phrase)
        return found[0] if found else None

    # -- the hierarchy --------------------------------------------------------

    def class_ancestors(self, name: str) -> tuple[str, ...]:
        """Return every broader class of ``name``, nearest first (not itself)."""
        return self._t.class_ancestors.get(name, ())

    def class_descendants(self, name: str) -> tuple[str, ...]:
        """Return every narrower class of ``name``, sorted (not itself)."""
        return tuple(
            sorted(c for c, up in self._t.class_ancestors.items() if name in up)
        )

    def agents_in_class(self, name: str) -> tuple[str, ...]:
        """Return the agents of a class or of any narrower class, sorted.

        'anti-PD-1' gives pembrolizumab, nivolumab ...; 'checkpoint inhibitor'
        adds the anti-PD-L1 and anti-CTLA-4 agents.
        """
        wanted = {name, *self.class_descendants(name)}
        return tuple(
            sorted(a for a, spec in self.agents.items() if wanted & set(spec.classes))
        )

    def agent_classes(self, agent: str, *, ancestors: bool = False) -> tuple[str, ...]:
        """Return an agent's classes, and with ``ancestors`` their broader ones."""
        own = self.agents[agent].classes if agent in self.agents else ()
        if not ancestors:
            return own
        found = [*own, *(a for c in own for a in self.class_ancestors(c))]
        return tuple(dict.fromkeys(found))

    def common_class(self, classes: Iterable[str]) -> str:
        """Return the most specific class that covers every one of ``classes``."""
        listed = list(dict.fromkeys(classes))
        if len(listed) == 1:
            return listed[0]
        covering = [set(self._t.lineage(c)) for c in listed]
        shared = set.intersection(*covering) if covering else set()
        for candidate in self._t.lineage(listed[0]):
            if candidate in shared:
                return candidate
        return listed[0]

    def subtype_ancestors(self, code: str) -> tuple[str, ...]:
        """Return every broader subtype of ``code``, nearest first (not itself)."""
        return self._t.subtype_ancestors.get(code, ())

    def subtype_descendants(self, code: str) -> tuple[str, ...]:
        """Return every narrower subtype of ``code`` ('LPS' -> DDLPS, MRCLS ...)."""
        return tuple(
            sorted(s for s, up in self._t.subtype_ancestors.items() if code in up)
        )

    # -- labels and lists -----------------------------------------------------

    def subtype_label(self, code: str) -> str:
        """Return the full name of a subtype ('SS' -> 'synovial sarcoma')."""
        spec = self.subtypes.get(code)
        return spec.label if spec is not None and spec.label else code

    def class_label(self, name: str) -> str:
        """Return how a class is shown ('checkpoint inhibitor' -> 'immune ...')."""
        spec = self.classes.get(name)
        return spec.label if spec is not None and spec.label else name

    def is_broad(self, code: str) -> bool:
        """Return True for a family too broad to tag or to make a cohort of (STS)."""
        spec = self.subtypes.get(code)
        return spec is not None and spec.broad

    def endpoint_values(self, endpoint: str) -> Mapping[str, EndpointName]:
        """Return what a value of ``endpoint`` is recorded as, by unit ({} if none)."""
        return self._t.endpoint_values.get(endpoint, {})

    def endpoint_terms(self) -> frozenset[str]:
        """Return the search terms of the endpoints ('orr', 'pfs' ...)."""
        return frozenset(s.term for s in self.endpoints.values() if s.term)

    def names_of(self, kind: str, value: str) -> tuple[str, ...]:
        """Return every name an agent, class, subtype or trial goes by."""
        return self._t.surface.get((kind, value), (value,))


def _hla(text: str) -> str:
    """Write an HLA restriction canonically: 'HLA-A02' -> 'HLA-A*02'."""
    return re.sub(r"^(HLA-[A-Z]+)\*?", r"\1*", text)


@lru_cache(maxsize=8)
def _load(user: Path | None, _stamp: int) -> Vocabulary:
    raw: RawVocabulary = read_file(BUNDLED)
    sources = [BUNDLED]
    if user is not None:
        raw = read_file(user, raw)
        sources.append(user)
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    tables = build_tables(raw)
    vocabulary = Vocabulary(
        agents=section(raw, "agents", AgentSpec),
        classes=section(raw, "classes", ClassSpec),
        subtypes=section(raw, "subtypes", SubtypeSpec),
        targets=section(raw, "targets", TargetSpec),
        trials=section(raw, "trials", TrialSpec),
        endpoints=section(raw, "endpoints", EndpointSpec),
        biomarkers=section(raw, "biomarkers", BiomarkerSpec),
        sources=tuple(sources),
        digest=digest.hexdigest()[:16],
        _t=tables,
    )
    _LOADED.add(vocabulary)
    return vocabulary


def load_vocabulary(user: Path | str | None = None) -> Vocabulary:
    """Return the bundled vocabulary, extended by the user file ``user`` if given.

    Loaded vocabularies are cached (per file and modification time), so the
    patterns are compiled once.

    Raises:
        ConfigError: the user file does not exist, or an entry is malformed
            (the message names the file and the line).
    """
    if user is None:
        return _load(None, 0)
    path = Path(user).expanduser().resolve()
    if not path.is_file():
        raise ConfigError(
            f"{path}: the vocabulary file does not exist; fix SARCOLIT_VOCABULARY "
            "or the 'vocabulary' setting"
        )
    return _load(path, path.stat().st_mtime_ns)


def default_vocabulary() -> Vocabulary:
    """Return the bundled vocabulary (the default of every stage)."""
    return load_vocabulary(None)


def is_known_class(name: str) -> bool:
    """Return True when a vocabulary loaded in this process has the class ``name``.

    Records carry agent classes as plain strings; this is their check. The
    bundled vocabulary is always consulted, and so is every user vocabulary
    loaded so far.
    """
    return name in default_vocabulary().classes or any(
        name in vocabulary.classes for vocabulary in list(_LOADED)
    )
