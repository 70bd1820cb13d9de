"""The one place that builds a Chroma client."""

from __future__ import annotations

from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

from sarcolit.core.errors import BackendUnavailable, ConfigError
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
    url = urlparse(settings.url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(
            f"store URL {settings.url!r} is not http://HOST:PORT; "
            "set --store-url or SARCOLIT_STORE__URL to a Chroma server's address"
        )
    try:
        client = chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
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
