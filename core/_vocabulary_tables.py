"""Checking a parsed vocabulary and compiling its lookup tables and matchers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from sarcolit.core._vocabulary_file import (
    AgentSpec,
    ClassSpec,
    EndpointSpec,
    Origin,
    RawVocabulary,
    SubtypeSpec,
    TargetSpec,
    TrialSpec,
    _Entry,
)
from sarcolit.core._vocabulary_match import Matcher, alternation, squash
from sarcolit.core.models import EndpointName
from sarcolit.core.text import fold

_NEVER = re.compile(r"(?!)")
_TERM = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_E = TypeVar("_E", bound=_Entry)


@dataclass(frozen=True)
class Tables:
    """Everything compiled from one vocabulary."""

    agents: Matcher
    measured: re.Pattern[str] | None
    classes: Matcher
    subtypes: Matcher
    targets: Matcher
    trials: Matcher
    hla: re.Pattern[str] | None
    series: re.Pattern[str]
    series_names: Mapping[str, str]
    endpoint_keywords: re.Pattern[str]
    endpoint_groups: Mapping[str, str]
    endpoint_names: Matcher
    endpoint_values: Mapping[str, Mapping[str, EndpointName]]
    terms: Matcher
    class_names: Mapping[str, str]
    subtype_codes: Mapping[str, str]
    class_ancestors: Mapping[str, tuple[str, ...]]
    subtype_ancestors: Mapping[str, tuple[str, ...]]
    surface: Mapping[tuple[str, str], tuple[str, ...]]
    entities: Matcher

    def lineage(self, name: str) -> tuple[str, ...]:
        """Return a class and its ancestors, nearest first."""
        return (name, *self.class_ancestors.get(name, ()))


def section(raw: RawVocabulary, name: str, kind: type[_E]) -> dict[str, _E]:
    """Return the entries of one section, typed."""
    found: dict[str, _E] = {}
    for key, (entry, _) in raw.entries[name].items():
        assert isinstance(entry, kind)
        found[key] = entry
    return found


class _Table:
    """A name table that refuses a name given two different meanings."""

    def __init__(self, what: str, *, case_sensitive: bool = False) -> None:
        self.what = what
        self.table: dict[str, tuple[str, ...]] = {}
        self.fold = squash if case_sensitive else fold

    def add(
        self, name: str, value: str, origin: Origin, *, shared: bool = False
    ) -> None:
        key = self.fold(name)
        if not key:
            raise origin.error(f"{self.what} {value!r} has an empty name")
        known = self.table.get(key, ())
        if known and value not in known and not shared:
            raise origin.error(
                f"{self.what} name {name!r} of {value!r} already names {known[0]!r}"
            )
        self.table[key] = tuple(dict.fromkeys((*known, value)))


def _ancestors(
    parents: Mapping[str, tuple[str, ...]], origins: Mapping[str, Origin], what: str
) -> dict[str, tuple[str, ...]]:
    """Return each entry's ancestors, nearest first; refuse unknown parents, cycles."""
    for name, listed in parents.items():
        for parent in listed:
            if parent not in parents:
                raise origins[name].error(f"{what} {name!r}: unknown parent {parent!r}")
    result: dict[str, tuple[str, ...]] = {}
    for name in parents:
        seen: list[str] = []
        queue = list(parents[name])
        while queue:
            current = queue.pop(0)
            if current == name:
                raise origins[name].error(f"{what} {name!r} is its own ancestor")
            if current not in seen:
                seen.append(current)
                queue.extend(parents[current])
        result[name] = tuple(seen)
    return result


def _origins(raw: RawVocabulary, name: str) -> dict[str, Origin]:
    return {key: origin for key, (_, origin) in raw.entries[name].items()}


def _class_tables(
    raw: RawVocabulary,
) -> tuple[Matcher, dict[str, str], dict[str, tuple[str, ...]]]:
    classes = section(raw, "classes", ClassSpec)
    origins = _origins(raw, "classes")
    ancestors = _ancestors({k: c.parents for k, c in classes.items()}, origins, "class")
    names, abbreviations = _Table("class"), _Table("class", case_sensitive=True)
    canonical: dict[str, str] = {}
    for key, spec in classes.items():
        canonical[fold(key)] = key
        canonical.setdefault(fold(spec.label or key), key)
        for phrase in spec.phrases:
            names.add(phrase, key, origins[key], shared=True)
        for abbreviation in spec.abbreviations:
            abbreviations.add(abbreviation, key, origins[key], shared=True)
    for spec in classes.values():
        for phrase in spec.exclude:
            names.table.setdefault(fold(phrase), ())
    matcher = Matcher(names.table, abbreviations.table, plural=True)
    return matcher, canonical, ancestors


def _agent_matcher(raw: RawVocabulary, classes: Iterable[str]) -> Matcher:
    known = set(classes)
    origins = _origins(raw, "agents")
    names, abbreviations = _Table("agent"), _Table("agent", case_sensitive=True)
    for key, spec in section(raw, "agents", AgentSpec).items():
        for cls in spec.classes:
            if cls not in known:
                raise origins[key].error(
                    f"agent {key!r}: unknown class {cls!r}; add it under [classes]"
                )
        for name in (key, *spec.synonyms):
            names.add(name, key, origins[key])
        for abbreviation in spec.abbreviations:
            abbreviations.add(abbreviation, key, origins[key])
    return Matcher(names.table, abbreviations.table, not_before=_measured(raw))


def _measured(raw: RawVocabulary) -> str:
    """Return a regex for what follows a measured, not given, agent ('IL-12 levels')."""
    words = "|".join(re.escape(w) for w in raw.measurement_words)
    return rf"\s+(?:{words})\b" if words else ""


SEPARATOR = "\x1f"
"""Joins an entity's kind and value in the combined matcher's meanings."""


def _combined(matchers: Mapping[str, Matcher]) -> Matcher:
    """Return one matcher for several kinds; a meaning reads 'kind<SEPARATOR>value'.

    Where names of two kinds overlap the longer wins, as within one kind.
    """
    names: dict[str, tuple[str, ...]] = {}
    short: dict[str, tuple[str, ...]] = {}

    def put(
        table: dict[str, tuple[str, ...]], key: str, meaning: tuple[str, ...]
    ) -> None:
        table[key] = tuple(dict.fromkeys((*table.get(key, ()), *meaning)))

    for kind, matcher in matchers.items():
        for source, target in ((matcher.names, names), (matcher.abbreviations, short)):
            for key, values in source.items():
                meaning = tuple(f"{kind}{SEPARATOR}{v}" for v in values)
                put(target, key, meaning)
                if matcher.plural and key + "s" not in source:
                    put(target, key + "s", meaning)
    return Matcher(names, short)


def _subtype_tables(
    raw: RawVocabulary,
) -> tuple[Matcher, dict[str, str], dict[str, tuple[str, ...]]]:
    subtypes = section(raw, "subtypes", SubtypeSpec)
    origins = _origins(raw, "subtypes")
    ancestors = _ancestors(
        {k: s.parents for k, s in subtypes.items()}, origins, "subtype"
    )
    names, abbreviations = _Table("subtype"), _Table("subtype", case_sensitive=True)
    for key, spec in subtypes.items():
        for name in dict.fromkeys((spec.label, *spec.names)):
            if name:
                names.add(name, key, origins[key])
        for abbreviation in spec.abbreviations:
            abbreviations.add(abbreviation, key, origins[key])
    codes = {fold(key): key for key in subtypes}
    return Matcher(names.table, abbreviations.table, plural=True), codes, ancestors


def _simple_matcher(
    raw: RawVocabulary, name: str, kind: type[TargetSpec] | type[TrialSpec]
) -> Matcher:
    origins = _origins(raw, name)
    names, abbreviations = _Table(name[:-1]), _Table(name[:-1], case_sensitive=True)
    for key, spec in section(raw, name, kind).items():
        others = spec.synonyms if isinstance(spec, TargetSpec) else spec.aliases
        for other in (key, *others):
            names.add(other, key, origins[key])
        if isinstance(spec, TargetSpec):
            for abbreviation in spec.abbreviations:
                abbreviations.add(abbreviation, key, origins[key])
    return Matcher(names.table, abbreviations.table)


def _series(raw: RawVocabulary) -> tuple[re.Pattern[str], dict[str, str]]:
    if not raw.series:
        return _NEVER, {}
    parts = [f"(?P<s{i}>{spec.pattern})" for i, (spec, _) in enumerate(raw.series)]
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)", re.IGNORECASE)
    names = {f"s{i}": spec.name for i, (spec, _) in enumerate(raw.series)}
    return pattern, names


def _check_patterns(key: str, patterns: Iterable[str], origin: Origin) -> None:
    for pattern in patterns:
        if "(?P<" in pattern:
            raise origin.error(f"endpoint {key!r}: a pattern may not name groups")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise origin.error(f"endpoint {key!r}: bad pattern: {exc}") from exc


def _endpoint_tables(
    raw: RawVocabulary,
) -> tuple[re.Pattern[str], dict[str, str], Matcher]:
    origins = _origins(raw, "endpoints")
    groups: list[str] = []
    names: dict[str, str] = {}
    lookup, abbreviations = _Table("endpoint"), _Table("endpoint", case_sensitive=True)
    for i, (key, spec) in enumerate(section(raw, "endpoints", EndpointSpec).items()):
        _check_patterns(key, spec.patterns, origins[key])
        for name in (*spec.names, *spec.cues):
            lookup.add(name, key, origins[key])
        for abbreviation in spec.abbreviations:
            abbreviations.add(abbreviation, key, origins[key])
        words = alternation([fold(n) for n in (*spec.names, *spec.cues)], plural=True)
        short = alternation([squash(a) for a in spec.abbreviations], plural=True)
        pieces = [f"(?i:{words})" if words else "", short, *spec.patterns]
        body = "|".join(p for p in pieces if p)
        if body:
            groups.append(f"(?P<e{i}>{body})")
            names[f"e{i}"] = key
    keywords = re.compile("|".join(groups)) if groups else _NEVER
    return keywords, names, Matcher(lookup.table, abbreviations.table, plural=True)


def _terms(raw: RawVocabulary) -> Matcher:
    names, abbreviations = _Table("term"), _Table("term", case_sensitive=True)
    for name in ("endpoints", "classes", "subtypes", "biomarkers"):
        for key, (spec, origin) in raw.entries[name].items():
            term = str(getattr(spec, "term", ""))
            if not term:
                continue
            if not _TERM.fullmatch(term):
                raise origin.error(f"{key!r}: a term is lowercase words, not {term!r}")
            full = [*getattr(spec, "names", ()), *getattr(spec, "phrases", ())]
            for text in full:
                names.add(text, term, origin)
            for abbreviation in getattr(spec, "abbreviations", ()):
                abbreviations.add(abbreviation, term, origin)
    return Matcher(names.table, abbreviations.table, plural=True)


def _surface(raw: RawVocabulary) -> dict[tuple[str, str], tuple[str, ...]]:
    surface: dict[tuple[str, str], tuple[str, ...]] = {}
    for key, a in section(raw, "agents", AgentSpec).items():
        surface[("agent", key)] = (key, *a.synonyms, *a.abbreviations)
    for key, c in section(raw, "classes", ClassSpec).items():
        surface[("class", key)] = (key, c.label, *c.phrases, *c.abbreviations)
    for key, s in section(raw, "subtypes", SubtypeSpec).items():
        surface[("subtype", key)] = (key, s.label, *s.names, *s.abbreviations)
    for key, t in section(raw, "trials", TrialSpec).items():
        surface[("trial", key)] = (key, *t.aliases)
    return surface


def build_tables(raw: RawVocabulary) -> Tables:
    """Check a parsed vocabulary and compile it.

    Raises:
        ConfigError: an entry names an unknown class or parent, a name means two
            entries, or a pattern does not compile (with file and line).
    """
    classes, class_names, class_ancestors = _class_tables(raw)
    subtypes, subtype_codes, subtype_ancestors = _subtype_tables(raw)
    series, series_names = _series(raw)
    keywords, groups, endpoint_names = _endpoint_tables(raw)
    hla = re.compile(raw.hla) if raw.hla else None
    agents = _agent_matcher(raw, raw.entries["classes"])
    trials = _simple_matcher(raw, "trials", TrialSpec)
    measured = _measured(raw)
    return Tables(
        agents=agents,
        measured=re.compile(measured) if measured else None,
        classes=classes,
        subtypes=subtypes,
        targets=_simple_matcher(raw, "targets", TargetSpec),
        trials=trials,
        hla=hla,
        series=series,
        series_names=series_names,
        endpoint_keywords=keywords,
        endpoint_groups=groups,
        endpoint_names=endpoint_names,
        endpoint_values={
            key: {str(unit): name for unit, name in spec.values.items()}
            for key, spec in section(raw, "endpoints", EndpointSpec).items()
        },
        terms=_terms(raw),
        class_names=class_names,
        subtype_codes=subtype_codes,
        class_ancestors=class_ancestors,
        subtype_ancestors=subtype_ancestors,
        surface=_surface(raw),
        entities=_combined(
            {"agent": agents, "class": classes, "subtype": subtypes, "trial": trials}
        ),
    )
