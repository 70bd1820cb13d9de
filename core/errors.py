"""Typed errors; each message says what went wrong and what to do next."""

from __future__ import annotations

from pathlib import Path


class SarcolitError(Exception):
    """Root of every error sarcolit raises on purpose."""


class ConfigError(SarcolitError):
    """A setting is wrong or a needed package is missing."""


class IngestError(SarcolitError):
    """A file could not be read into a document; ``reason`` is one line."""

    def __init__(self, path: Path | str, reason: str) -> None:
        """Remember the file and the reason (line breaks folded into spaces)."""
        self.path = Path(path)
        self.reason = " ".join(reason.split())
        super().__init__(f"{self.path}: {self.reason}")


class ExtractionError(SarcolitError):
    """Extraction of trial records failed."""


class BackendUnavailable(SarcolitError):
    """A store or model server could not be reached."""


class GoldFileError(SarcolitError):
    """A gold file is malformed at a given line."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        """Remember where and why."""
        self.path = Path(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path}:{line}: {reason}")
