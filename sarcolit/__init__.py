"""sarcolit: cited answers and grounded trial records from the sarcoma literature.

The front door is :class:`sarcolit.Library`; the stages live in the subpackages
``sarcolit.core``, ``sarcolit.ingest``, ``sarcolit.extraction``,
``sarcolit.retrieval``, ``sarcolit.evals`` and ``sarcolit.ui``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.2.0"
__all__ = ["Library", "__version__"]

if TYPE_CHECKING:
    from sarcolit.library import Library


def __getattr__(name: str) -> object:
    # Lazy, so that importing a stage (or the CLI's --help) does not load them all.
    if name == "Library":
        from sarcolit.library import Library

        return Library
    raise AttributeError(f"module 'sarcolit' has no attribute {name!r}")
