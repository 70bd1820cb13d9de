"""The one place that builds a Chroma client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

from sarcolit.core.errors import BackendUnavailable, ConfigError, SarcolitError
from sarcolit.core.settings import StoreSettings


def chroma_client(settings: StoreSettings) -> ClientAPI:
    """Return a Chroma client: embedded under ``settings.path``, or a server at ``url``.

    Raises:
        ConfigError: the URL is not ``http(s)://HOST:PORT``.
        BackendUnavailable: the server does not answer a heartbeat.
    """
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.url is None:
        settings.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(
            path=str(settings.path / "chroma"), settings=chroma_settings
        )
    bad_url = ConfigError(
        f"store URL {settings.url!r} is not http://HOST:PORT; "
        "set --store-url or SARCOLIT_STORE__URL to a Chroma server's address"
    )
    try:
        url = urlparse(settings.url)
        port = url.port  # raises ValueError on a port out of range or not a number
    except ValueError as exc:  # 'http://[::1' (an unclosed IPv6 bracket) too
        raise bad_url from exc
    if url.scheme not in ("http", "https") or not url.hostname:
        raise bad_url
    try:
        client = chromadb.HttpClient(
            host=url.hostname,
            port=port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as exc:  # chromadb raises several unrelated types here
        raise BackendUnavailable(
            f"no Chroma server answers at {settings.url} ({exc.__class__.__name__}); "
            "start one with `chroma run --host 127.0.0.1 --port PORT` "
            "or drop --store-url to use the embedded store"
        ) from exc
    return client


def fresh_client(settings: StoreSettings) -> ClientAPI:
    """Return a new client that reads the store as it is on disk now.

    An embedded client keeps its vector segments in memory and does not see
    what other processes wrote since it opened. Chroma caches one system per
    path, so the cached one is dropped first (not stopped: readers still using
    it finish normally). A server client is always current and is simply made
    again.

    Raises:
        ConfigError: the URL is not ``http(s)://HOST:PORT``.
        BackendUnavailable: the server does not answer a heartbeat.
    """
    if settings.url is None:
        from chromadb.api.shared_system_client import SharedSystemClient

        # Chroma keys its cache by the persist path; there is no public way to
        # reload a system, so the entry is removed and a new one is built.
        # The key is the path exactly as chroma_client passes it.
        identifier = str(settings.path / "chroma")
        SharedSystemClient._identifier_to_system.pop(identifier, None)
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)
    return chroma_client(settings)


@contextmanager
def store_errors(doing: str) -> Iterator[None]:
    """Turn a store client's failure into ``BackendUnavailable`` naming ``doing``."""
    try:
        yield
    except SarcolitError:
        raise
    except Exception as exc:  # the store's client raises many unrelated types
        raise BackendUnavailable(
            f"the vector store failed while {doing} ({exc.__class__.__name__}); "
            "check that the Chroma server is running (chroma run --path DIR)"
        ) from exc
