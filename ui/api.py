"""The HTTP API: ask, search and extract over JSON, with the CLI's models.

``POST /api/ask`` returns an :class:`~sarcolit.core.models.Answer` (as ``sarcolit ask
--json``; a ``history`` or a ``conversation_id`` reads the question as a
follow-up), ``POST /api/search`` a list of
:class:`~sarcolit.core.models.SearchHit` (as ``sarcolit search --json``) and
``POST /api/extract`` the merged :class:`~sarcolit.core.models.TrialRecord` list
of the given documents (the records ``sarcolit extract`` writes).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from sarcolit.core.errors import BackendUnavailable, SarcolitError
from sarcolit.core.models import Answer, SearchHit, TrialRecord
from sarcolit.ingest import DocInfo
from sarcolit.library import Library
from sarcolit.retrieval import Filters
from sarcolit.ui.app_state import AppState


class _Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _valid_unicode(cls, value: object) -> object:
        """Refuse text that is not valid Unicode (a lone surrogate from JSON)."""
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise ValueError(
                        "text must be valid Unicode (it holds a lone surrogate)"
                    ) from None
        return value


class FilterFields(_Request):
    """Metadata filters: OR within a field, AND across fields."""

    subtypes: list[str] = Field(default=[], description="Subtypes, e.g. UPS, ASPS.")
    agents: list[str] = Field(default=[], description="Agents (synonyms resolved).")
    nct_ids: list[str] = Field(default=[], description="NCT identifiers.")
    doc_ids: list[str] = Field(default=[], description="Document ids.")
    k: int | None = Field(default=None, gt=0, le=100, description="Passages used.")

    def filters(self, library: Library) -> Filters:
        """Return the canonical filters (raises ConfigError on unknown names)."""
        return library.filters(
            subtypes=self.subtypes,
            agents=self.agents,
            nct_ids=self.nct_ids,
            doc_ids=self.doc_ids,
        )


class AskRequest(FilterFields):
    """A question for the cited answerer, alone or as a turn of a conversation."""

    question: str = Field(min_length=1, max_length=2000)
    history: list[str] = Field(
        default=[],
        max_length=50,
        description="Earlier questions of the conversation, oldest first; a "
        "follow-up ('and its toxicity?') is read in their light.",
    )
    conversation_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="A conversation the server remembers: each ask with this id "
        "is read after the earlier ones (instead of sending the history).",
    )


class SearchRequest(FilterFields):
    """A query for hybrid search."""

    query: str = Field(min_length=1, max_length=2000)


class ExtractRequest(_Request):
    """Ingested documents to extract trial records from."""

    doc_ids: list[str] = Field(min_length=1, max_length=200)

    @field_validator("doc_ids")
    @classmethod
    def _unique(cls, doc_ids: list[str]) -> list[str]:
        if len(set(doc_ids)) != len(doc_ids):
            raise ValueError("doc_ids must not repeat an id")
        return doc_ids


class ExtractFailure(_Request):
    """A document that could not be extracted, and why."""

    source: str
    reason: str


class ExtractResponse(_Request):
    """The merged trial records of the documents, and any failures."""

    records: list[TrialRecord]
    failures: list[ExtractFailure] = []


class DocumentEntry(_Request):
    """A document of the library."""

    id: str
    source: str
    title: str
    kind: str
    n_chunks: int


@contextmanager
def _as_http() -> Iterator[None]:
    try:
        yield
    except BackendUnavailable as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
    except SarcolitError as exc:
        # Bounded: a message may quote a short value, never a whole request.
        raise HTTPException(status_code=400, detail=str(exc)[:300]) from exc


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """Return a 422 that says where and why, without the input FastAPI would echo."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {
                    "loc": list(e.get("loc", ())),
                    "msg": e.get("msg", ""),
                    "type": e.get("type", ""),
                }
                for e in errors
            ]
        },
    )


def _entry(info: DocInfo) -> DocumentEntry:
    return DocumentEntry(
        id=info.id,
        source=info.source,
        title=info.title,
        kind=info.kind,
        n_chunks=info.n_chunks,
    )


def api_router(state: AppState) -> APIRouter:
    """Return the ``/api`` routes bound to the server's one open session."""
    router = APIRouter(prefix="/api", tags=["sarcolit"])

    @router.post("/ask")
    def ask(request: AskRequest) -> Answer:
        """Answer with cited sentences from the literature, or refuse."""
        with _as_http():
            if request.conversation_id is not None and request.history:
                raise HTTPException(
                    status_code=422,
                    detail="send a conversation_id or a history, not both",
                )
            filters = request.filters(state.library)
            if request.conversation_id is not None:
                return state.converse(
                    request.conversation_id, request.question, filters, request.k
                )
            return state.ask(request.question, filters, request.k, request.history)

    @router.post("/search")
    def search(request: SearchRequest) -> list[SearchHit]:
        """Return the passages hybrid search ranks highest."""
        with _as_http():
            filters = request.filters(state.library)
            return state.search(request.query, request.k, filters)

    @router.post("/extract")
    def extract(request: ExtractRequest) -> ExtractResponse:
        """Extract the trial records of ingested documents."""
        with _as_http():
            documents = state.get_documents(request.doc_ids)
            unknown = set(request.doc_ids) - {d.id for d in documents}
            if unknown:
                raise HTTPException(
                    status_code=404,
                    detail=f"{len(unknown)} of the document ids are unknown; "
                    "GET /api/documents lists them",
                )
            report = state.extract(documents, state.scratch("api", "extract"))
        return ExtractResponse(
            records=list(report.records),
            failures=[
                ExtractFailure(source=f.source, reason=f.reason)
                for f in report.failures
            ],
        )

    @router.get("/documents")
    def documents() -> list[DocumentEntry]:
        """List the ingested documents."""
        with _as_http():
            return [_entry(info) for info in state.documents()]

    return router
