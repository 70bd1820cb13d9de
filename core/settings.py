"""One ``Settings`` object from ``SARCOLIT_*`` variables and an optional TOML file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from sarcolit.core.errors import ConfigError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    """Where chunks and vectors live."""

    path: Path = Field(
        default=Path(".sarcolit"),
        description="Data directory: the embedded Chroma store and the BM25 index.",
    )
    url: str | None = Field(
        default=None,
        description="http://HOST:PORT of a Chroma server; unset: the embedded store.",
    )
    collection: str = Field(default="sarcolit", description="Chroma collection prefix.")
    refresh_s: float = Field(
        default=5.0,
        ge=0,
        description="How often (seconds) a running library compares the store's "
        "documents with its index, to pick up what other processes ingested.",
    )


class IngestSettings(_Section):
    """How documents are read and chunked."""

    max_bytes: int = Field(default=50_000_000, gt=0, description="Largest file read.")
    max_chars: int = Field(
        default=1_000_000,
        gt=0,
        description="Longest text ingested, in characters after normalisation; "
        "1,000,000 is about 1,750 chunks, 1.5 minutes of embedding on 2 idle cores.",
    )
    follow_links: bool = Field(
        default=False,
        description="Read symbolic links inside a folder that point outside it.",
    )
    chunk_tokens: int = Field(
        default=200, gt=16, description="Token budget of one chunk (MiniLM reads 256)."
    )
    batch_size: int = Field(default=32, gt=0, description="Embedding batch size.")
    embed_group: int = Field(
        default=256,
        gt=0,
        description="Chunks of consecutive files embedded in one call.",
    )


class RetrievalSettings(_Section):
    """Hybrid search and the extractive answerer."""

    k: int = Field(default=8, gt=0, description="Passages returned.")
    candidates: int = Field(
        default=50,
        gt=0,
        description="Candidates taken from each retriever before fusion.",
    )
    rrf_k: int = Field(default=60, gt=0, description="Reciprocal rank fusion constant.")
    answer_pool: int = Field(
        default=16, gt=0, description="Passages the answerer reads its sentences from."
    )
    max_sentences: int = Field(default=3, gt=0, description="Sentences in an answer.")
    min_support: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Least share of the question's weighted terms that the best "
        "passage must contain; below it the answerer refuses.",
    )


class ExtractionSettings(_Section):
    """Batch extraction of trial records."""

    llm_workers: int = Field(
        default=4,
        gt=0,
        description="Papers extracted at once with an LLM backend (rules: one).",
    )


class EmbedderSettings(_Section):
    """The embedding model behind dense search (see ``sarcolit.core.embedding``)."""

    spec: str | None = Field(
        default=None,
        description="st:, onnx:, onnx-int8: or openai:MODEL (an OpenAI-compatible "
        "embeddings server); unset: the embedder that built the store, else the "
        "default (sarcolit.core.embedding.DEFAULT_SPEC).",
    )
    base_url: str | None = Field(
        default=None,
        description="Server URL for openai: (e.g. http://127.0.0.1:8081/v1).",
    )
    api_key: str | None = Field(
        default=None, description="API key for openai: (default: OPENAI_API_KEY)."
    )
    timeout_s: float = Field(default=60.0, gt=0, description="Per-request timeout.")
    max_retries: int = Field(default=2, ge=0, description="Retries of openai: calls.")
    model_dir: Path | None = Field(
        default=None,
        description="Where onnx: keeps the exported model (default: DATA_DIR/models).",
    )
    threads: int | None = Field(
        default=None, gt=0, description="CPU threads of onnx: (None: all cores)."
    )


class LLMSettings(_Section):
    """The chat model behind LLM-assisted answers and extraction."""

    spec: str = Field(
        default="none", description="provider:model, e.g. local:, openai:gpt-4o-mini."
    )
    base_url: str | None = Field(
        default=None,
        description="Server URL for openai: and ollama: (e.g. http://127.0.0.1:8080/v1).",
    )
    api_key: str | None = Field(
        default=None, description="API key for openai: (default: OPENAI_API_KEY)."
    )
    timeout_s: float = Field(default=60.0, gt=0, description="Per-request timeout.")
    max_retries: int = Field(
        default=2, ge=0, description="Retries, with backoff, on transient errors."
    )
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(
        default=200, gt=0, description="Longest generated answer, in tokens."
    )
    n_ctx: int = Field(
        default=8192, gt=0, description="Context window of the local: model."
    )
    threads: int | None = Field(
        default=None, gt=0, description="CPU threads of the local: model (None: all)."
    )
    passages: int = Field(
        default=4,
        gt=0,
        description="Retrieved passages given to the model as evidence.",
    )


class Settings(BaseSettings):
    """All settings; pass one instance down explicitly."""

    model_config = SettingsConfigDict(
        env_prefix="SARCOLIT_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    vocabulary: Path | None = Field(
        default=None,
        description="A TOML file that extends or overrides the bundled vocabulary "
        "(agents, classes, subtypes, trials, endpoints); see the README.",
    )
    store: StoreSettings = StoreSettings()
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    extraction: ExtractionSettings = ExtractionSettings()
    embedder: EmbedderSettings = EmbedderSettings()
    llm: LLMSettings = LLMSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read init arguments, then the environment, then ``sarcolit.toml``."""
        toml = TomlConfigSettingsSource(settings_cls, toml_file="sarcolit.toml")
        return (init_settings, env_settings, toml)


def load_settings() -> Settings:
    """Read ``SARCOLIT_*`` variables and ``sarcolit.toml`` into one ``Settings``.

    Raises:
        ConfigError: a value is malformed (one line naming the setting).
    """
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(
            f"bad setting ({problems}); fix the SARCOLIT_* variable "
            "(nested with __, e.g. SARCOLIT_INGEST__MAX_BYTES) or sarcolit.toml"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sarcolit.toml is not valid TOML ({exc})") from exc
