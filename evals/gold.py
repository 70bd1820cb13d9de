"""Gold-set rows and their loading: every evidence quote is checked against the corpus.

A gold file is JSON Lines, one row per line (blank lines are skipped). Rows are
validated strictly; a malformed line, a missing or mistyped field, a duplicate id
or an evidence quote that is not an exact substring of its document's normalised
text raises :class:`~sarcolit.core.errors.GoldFileError` naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sarcolit.core.errors import GoldFileError, IngestError
from sarcolit.core.models import Document, Quote
from sarcolit.ingest import expand_paths, normalize, read_document

GOLD_DIR = Path(__file__).parent / "gold"
QA_GOLD = GOLD_DIR / "qa.jsonl"
EXTRACTION_GOLD = GOLD_DIR / "extraction.jsonl"


class _GoldModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class EvidenceRef(_GoldModel):
    """A quote from a corpus document, as written in a gold file."""

    doc: str = Field(
        default="",
        description="Corpus-relative path or title; empty: whichever document "
        "holds the quote.",
    )
    quote: str = Field(
        min_length=1,
        description="Text of the document, raw or normalised (it is normalised "
        "when the file is loaded).",
    )


class QAGoldRow(_GoldModel):
    """One gold question: the facts a right answer states and where they are."""

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    must_contain: tuple[str, ...] = Field(
        description="Key facts a correct answer states (numbers are normalised)."
    )
    evidence: tuple[EvidenceRef | str, ...] = Field(
        description="Quotes that support the answer ({doc, quote}, or a plain "
        "quote found in whichever document holds it); empty when unanswerable."
    )
    evidence_match: Literal["all", "any"] = Field(
        default="all",
        description="'any': the quotes are alternatives (one fact in several "
        "documents), so retrieving one of them is full recall.",
    )
    section: str = Field(default="", description="Topic, for per-section scores.")
    unanswerable: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.unanswerable and (self.must_contain or self.evidence):
            raise ValueError("an unanswerable row has empty must_contain and evidence")
        if not self.unanswerable and not (self.must_contain and self.evidence):
            raise ValueError("an answerable row needs must_contain and evidence")
        return self


class GoldQuestion(_GoldModel):
    """A gold question whose evidence quotes were located in the corpus."""

    row: QAGoldRow
    line: int = Field(ge=1, description="Line of the gold file the row came from.")
    spans: tuple[Quote, ...] = Field(description="Evidence located in documents.")


FieldValue = float | int | str | bool | None


class ExtractionKeys(_GoldModel):
    """What identifies a trial record: any of NCT id, name, interventions."""

    nct_id: str | None = None
    name: str | None = None
    interventions: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _some_key(self) -> Self:
        if not (self.nct_id or self.name or self.interventions):
            raise ValueError("keys need an nct_id, a name or interventions")
        return self


class GoldGroup(_GoldModel):
    """An arm or cohort of a gold trial record."""

    name: str = Field(min_length=1)
    fields: dict[str, FieldValue] = Field(default_factory=dict)


class ExtractionGoldRow(_GoldModel):
    """One gold trial record: keys to match a prediction, and expected values."""

    id: str = Field(min_length=1)
    doc: str = Field(min_length=1, description="Corpus document the record is from.")
    keys: ExtractionKeys
    fields: dict[str, FieldValue] = Field(description="Trial-level values.")
    arms: tuple[GoldGroup, ...] = ()
    cohorts: tuple[GoldGroup, ...] = ()


def _rows(path: Path) -> Iterator[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFileError(path, 0, f"cannot read the gold file: {exc}") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    # A union's member model shows in the path ('evidence.0.EvidenceRef.quote'):
    # gold fields are lower-case, so capitalised parts are dropped.
    where = ".".join(str(part) for part in error["loc"] if not str(part)[:1].isupper())
    if error["type"] == "json_invalid":
        return f"malformed JSON: {error['msg']}"
    if not where:
        return error["msg"]
    return f"field '{where}': {error['msg']}"


_Row = TypeVar("_Row", bound=_GoldModel)


def parse_rows(path: Path, model: type[_Row]) -> list[tuple[int, _Row]]:
    """Parse every non-blank line of ``path`` as ``model``; return (line, row) pairs.

    Raises:
        GoldFileError: a line is not valid JSON, misses or mistypes a field, or
            repeats an id.
    """
    parsed: list[tuple[int, _Row]] = []
    seen: dict[str, int] = {}
    for number, line in _rows(path):
        try:
            row = model.model_validate_json(line)
        except ValidationError as exc:
            raise GoldFileError(path, number, _describe(exc)) from exc
        row_id = str(getattr(row, "id", ""))
        if row_id in seen:
            raise GoldFileError(
                path, number, f"duplicate id {row_id!r} (first on line {seen[row_id]})"
            )
        seen[row_id] = number
        parsed.append((number, row))
    if not parsed:
        raise GoldFileError(path, 1, "the gold file has no rows")
    return parsed


def find_document(corpus: Mapping[str, Document], ref: str) -> Document | None:
    """Return the document ``ref`` names: its key, title, a key's tail, or file name.

    A tail ("reviews/x.txt") matches a key ending in "/reviews/x.txt", so gold
    files written against corpus-relative paths work with absolute source paths.
    Ambiguous tails and file names match nothing.
    """
    if ref in corpus:
        return corpus[ref]
    folded = ref.casefold()
    for doc in corpus.values():
        if doc.title.casefold() == folded:
            return doc
    tail = "/" + ref.replace("\\", "/").lstrip("/")
    matches = [doc for key, doc in corpus.items() if key.endswith(tail)]
    if not matches and "/" not in tail[1:]:
        matches = [d for key, d in corpus.items() if PurePosixPath(key).name == ref]
    return matches[0] if len(matches) == 1 else None


# Between two words of a quote: whitespace, or a table-cell boundary, since a
# quote copied from a raw tab-separated row has tabs where ingest puts ' | '.
_GAP = r"(?:\s+\|\s+|\s+)"


def _find(text: str, quote: str) -> tuple[int, int] | None:
    """Return the span of ``quote`` in ``text``, allowing any run of whitespace."""
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    words = quote.split()
    if not words:
        return None
    pattern = _GAP.join(re.escape(word) for word in words)
    found = re.search(pattern, text)
    return (found.start(), found.end()) if found else None


def _holder(
    corpus: Mapping[str, Document], quote: str, *, path: Path, line: int
) -> Document:
    for key in sorted(corpus):
        if _find(corpus[key].text, quote) is not None:
            return corpus[key]
    raise GoldFileError(path, line, f"quote {quote[:60]!r} is in no corpus document")


def locate(
    corpus: Mapping[str, Document],
    ref: EvidenceRef | str,
    *,
    path: Path,
    line: int,
) -> Quote:
    """Return the span of the evidence quote in its document (first occurrence).

    The quote is normalised as documents are (so text copied from the raw file
    matches) and whitespace runs match any whitespace. A plain string, or a
    ref without ``doc``, is looked up in every document (sorted by path).

    Raises:
        GoldFileError: the document is unknown or the quote is not in its text.
    """
    ref = EvidenceRef(quote=ref) if isinstance(ref, str) else ref
    quote = " ".join(normalize(ref.quote).split())
    if not ref.doc:
        doc = _holder(corpus, quote, path=path, line=line)
    else:
        found_doc = find_document(corpus, ref.doc)
        if found_doc is None:
            known = ", ".join(sorted(corpus)[:5]) or "none"
            raise GoldFileError(
                path,
                line,
                f"document {ref.doc!r} is not in the corpus (known: {known})",
            )
        doc = found_doc
    span = _find(doc.text, quote)
    if span is None:
        raise GoldFileError(
            path,
            line,
            f"quote {ref.quote[:60]!r} is not in the text of {ref.doc or doc.source}",
        )
    start, end = span
    return Quote(doc_id=doc.id, start=start, end=end, quote=doc.text[start:end])


def load_qa_gold(path: Path, corpus: Mapping[str, Document]) -> list[GoldQuestion]:
    """Load a QA gold file and locate each evidence quote in ``corpus``.

    Args:
        path: The JSONL gold file.
        corpus: Documents keyed by corpus-relative path (see :func:`load_corpus`).

    Raises:
        GoldFileError: a row is malformed or a quote is not in its document.
    """
    questions = []
    for line, row in parse_rows(path, QAGoldRow):
        spans = tuple(locate(corpus, ref, path=path, line=line) for ref in row.evidence)
        questions.append(GoldQuestion(row=row, line=line, spans=spans))
    return questions


def load_extraction_gold(
    path: Path, corpus: Mapping[str, Document] | None = None
) -> list[ExtractionGoldRow]:
    """Load an extraction gold file; with ``corpus``, check each row's document exists.

    Raises:
        GoldFileError: a row is malformed or names an unknown document.
    """
    rows = []
    for line, row in parse_rows(path, ExtractionGoldRow):
        if corpus is not None and find_document(corpus, row.doc) is None:
            raise GoldFileError(
                path, line, f"field 'doc': {row.doc!r} is not in the corpus"
            )
        rows.append(row)
    return rows


def load_corpus(root: Path, *, max_bytes: int) -> dict[str, Document]:
    """Read every readable file under ``root``; key each by its relative POSIX path.

    Raises:
        IngestError: ``root`` is not a folder, or a file cannot be read.
    """
    if not root.is_dir():
        raise IngestError(root, "the corpus folder does not exist; pass --corpus DIR")
    return {
        path.relative_to(root).as_posix(): read_document(path, max_bytes=max_bytes)
        for path in expand_paths([root])
    }


def corpus_of(documents: Sequence[Document]) -> dict[str, Document]:
    """Key documents (e.g. those of an index) by their source path, as POSIX."""
    return {Path(doc.source).as_posix(): doc for doc in documents}
