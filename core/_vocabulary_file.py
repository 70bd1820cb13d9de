"""Reading vocabulary files: TOML, typed entries, user overrides, errors with lines.

tomllib reports line numbers for syntax errors only, so for an entry that parses
but is wrong (an unknown class, a mistyped field) the line of the entry's key is
found in the raw text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sarcolit.core.errors import ConfigError
from sarcolit.core.models import EndpointName

Unit = Literal["%", "months", "patients"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    replace: bool = Field(
        default=False, description="In a user file: replace the bundled entry."
    )


class ClassSpec(_Entry):
    """An agent class."""

    label: str = ""
    parents: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    term: str = ""
    intervention: bool = True


class AgentSpec(_Entry):
    """An agent: its classes and other names."""

    classes: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()


class SubtypeSpec(_Entry):
    """A sarcoma subtype."""

    label: str = ""
    names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    broad: bool = False
    term: str = ""


class TargetSpec(_Entry):
    """A target or antigen."""

    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()


class TrialSpec(_Entry):
    """A named trial."""

    aliases: tuple[str, ...] = ()


class SeriesSpec(_Entry):
    """A numbered series of trials (SARC028, SARC032 ...)."""

    pattern: str
    name: str


class EndpointSpec(_Entry):
    """An endpoint and how its values are recorded."""

    label: str = ""
    names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    values: dict[Unit, EndpointName] = {}
    term: str = ""


class BiomarkerSpec(_Entry):
    """A biomarker."""

    label: str = ""
    names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    term: str = ""


SECTIONS: dict[str, type[_Entry]] = {
    "classes": ClassSpec,
    "agents": AgentSpec,
    "subtypes": SubtypeSpec,
    "targets": TargetSpec,
    "trials": TrialSpec,
    "endpoints": EndpointSpec,
    "biomarkers": BiomarkerSpec,
}
_TOP_LEVEL = {"measurement_words", "hla", "trial_series", *SECTIONS}


@dataclass(frozen=True)
class Origin:
    """Where an entry was written: a file and its key (the line is found on error)."""

    path: Path
    raw: str = field(repr=False)
    section: str = ""
    key: str = ""
    index: int | None = None

    @property
    def line(self) -> int:
        """The line of the entry's key in the file (1 when it cannot be found)."""
        if self.index is not None:
            return _series_line(self.raw, self.index)
        return _key_line(self.raw, self.section, self.key) if self.section else 1

    def error(self, message: str) -> ConfigError:
        """Return a one-line error naming this place."""
        return ConfigError(f"{self.path}:{self.line}: {message}")


@dataclass
class RawVocabulary:
    """Parsed entries of one or more files, each with where it was written."""

    entries: dict[str, dict[str, tuple[_Entry, Origin]]]
    measurement_words: tuple[str, ...]
    hla: str
    series: list[tuple[SeriesSpec, Origin]]


def _key_line(raw: str, section: str, key: str = "") -> int:
    """Return the line that opens ``section.key`` (or ``section``); 1 if not found."""
    name = re.escape(section)
    patterns = []
    if key:
        quoted = rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
        patterns = [
            rf"^\s*\[\s*{name}\s*\.\s*{quoted}\s*\]",
            rf"^\s*{name}\s*\.\s*{quoted}\s*[.=]",
            rf"^\s*{quoted}\s*=",
        ]
    patterns += [rf"^\s*\[+\s*{name}\b", rf"^\s*{name}\s*="]
    lines = raw.splitlines()
    for pattern in patterns:
        for number, line in enumerate(lines, start=1):
            if re.match(pattern, line):
                return number
    return 1


def _series_line(raw: str, index: int) -> int:
    found = [
        n
        for n, line in enumerate(raw.splitlines(), start=1)
        if re.match(r"^\s*\[\[\s*trial_series\s*\]\]", line)
    ]
    return found[index] if index < len(found) else 1


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"field '{where}': {error['msg']}" if where else error["msg"]


def _parse(path: Path) -> tuple[dict[str, object], str]:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the vocabulary file: {exc}") from exc
    try:
        return tomllib.loads(raw), raw
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _syntax_line(str(exc))
        raise ConfigError(f"{path}:{line}: not valid TOML: {exc}") from exc


def _syntax_line(message: str) -> int:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 1


def _strings(value: object, origin: Origin, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise origin.error(f"'{what}' must be a list of strings")
    return tuple(value)


def _merge(old: _Entry, new: _Entry) -> _Entry:
    """Extend ``old`` with ``new``: lists are joined, other fields replaced."""
    if new.replace:
        return new
    update: dict[str, object] = {}
    for name in new.model_fields_set:
        value = getattr(new, name)
        if isinstance(value, tuple):
            value = tuple(dict.fromkeys((*getattr(old, name), *value)))
        elif isinstance(value, dict):
            value = {**getattr(old, name), **value}
        update[name] = value
    return old.model_copy(update=update)


def read_file(path: Path, into: RawVocabulary | None = None) -> RawVocabulary:
    """Read one vocabulary file, on its own or over ``into`` (a user file).

    Raises:
        ConfigError: the file is unreadable, not TOML, or an entry is malformed;
            the message names the file and the line.
    """
    data, raw = _parse(path)
    result = into or RawVocabulary({s: {} for s in SECTIONS}, (), "", [])
    for key in data:
        if key not in _TOP_LEVEL:
            where = Origin(path, raw, key)
            known = ", ".join(sorted(_TOP_LEVEL))
            raise where.error(f"unknown section {key!r} (known: {known})")
    _read_entries(path, raw, data, result)
    top = Origin(path, raw)
    if "measurement_words" in data:
        words = _strings(data["measurement_words"], top, "measurement_words")
        result.measurement_words = tuple(
            dict.fromkeys((*result.measurement_words, *words))
        )
    if "hla" in data:
        where = Origin(path, raw, "hla")
        if not isinstance(data["hla"], str):
            raise where.error("'hla' must be text")
        try:
            re.compile(data["hla"])
        except re.error as exc:
            raise where.error(f"'hla' is not a valid pattern: {exc}") from exc
        result.hla = data["hla"]
    _read_series(path, raw, data.get("trial_series", []), result)
    return result


def _read_entries(
    path: Path, raw: str, data: dict[str, object], result: RawVocabulary
) -> None:
    for section, model in SECTIONS.items():
        table = data.get(section, {})
        if not isinstance(table, dict):
            where = Origin(path, raw, section)
            raise where.error(f"'{section}' must be a table of entries")
        for key, value in table.items():
            origin = Origin(path, raw, section, key)
            if not isinstance(value, dict):
                raise origin.error(f"{section}.{key}: an entry must be a table")
            try:
                entry = model.model_validate(value)
            except ValidationError as exc:
                raise origin.error(f"{section}.{key}: {_describe(exc)}") from exc
            known = result.entries[section].get(key)
            if known is not None:
                entry = _merge(known[0], entry)
            result.entries[section][key] = (entry, origin)


def _read_series(path: Path, raw: str, items: object, result: RawVocabulary) -> None:
    if not isinstance(items, list):
        raise Origin(path, raw, "trial_series").error(
            "'trial_series' must be an array of tables"
        )
    for index, item in enumerate(items):
        origin = Origin(path, raw, index=index)
        try:
            spec = SeriesSpec.model_validate(item)
            re.compile(spec.pattern)
        except ValidationError as exc:
            raise origin.error(f"trial_series: {_describe(exc)}") from exc
        except re.error as exc:
            raise origin.error(f"trial_series: bad pattern: {exc}") from exc
        if "{}" not in spec.name:
            raise origin.error("trial_series: 'name' needs {} for the number")
        result.series.append((spec, origin))
