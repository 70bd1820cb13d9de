"""Inputs the CLI reads besides its options: question files, benchmark scripts."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

from sarcolit.core.errors import ConfigError, SarcolitError

BENCHMARKS = Path("benchmarks")


def load_benchmark(name: str, function: str) -> Callable[..., object]:
    """Return ``function`` of ``benchmarks/<name>.py`` in the working directory.

    Benchmarks belong to the source checkout, not to the installed package.

    Raises:
        ConfigError: the script is not there (not run from a checkout).
    """
    path = BENCHMARKS / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_sarcolit_{name}", path)
    if not path.is_file() or spec is None or spec.loader is None:
        raise ConfigError(
            f"{path} not found: run `sarcolit bench` from a sarcolit source checkout"
        )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found: Callable[..., object] = getattr(module, function)
    return found


def read_questions(path: Path | None) -> list[str]:
    """Read questions: one per line, or JSONL rows with a ``question`` key.

    Raises:
        SarcolitError: the file is missing, or a JSON row has no question.
    """
    if path is None:
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SarcolitError(f"cannot read questions from {path}: {exc}") from exc
    questions: list[str] = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                row = json.loads(line)
                questions.append(str(row["question"]))
            except (ValueError, KeyError) as exc:
                raise SarcolitError(
                    f"{path}:{number}: not a JSON row with a 'question' key ({exc})"
                ) from exc
        else:
            questions.append(line)
    return questions
