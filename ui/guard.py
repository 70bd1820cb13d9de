"""The server's front gate: body limits, file paths from clients, stray exceptions.

An ASGI middleware around the whole app (HTTP API and Gradio):

- A request body over the limit is refused with 413 before it is read whole
  (``/api``: 1 MB; Gradio's JSON event calls: 10 MB; uploads have Gradio's own
  ``max_file_size``).
- A Gradio event call names files by path (``FileData``). Gradio checks that a
  path was uploaded only when the app was started with ``Blocks.launch()``,
  which a mounted app never is; so here every ``path`` in an event call must
  resolve (symbolic links followed) inside this server's upload folder, or the
  call is refused with 400. A client cannot make the app read ``/etc/hostname``
  or the project's README.
- An exception escaping an ``/api`` route becomes a JSON 500 here, so the
  server neither closes the keep-alive connection nor prints a traceback page.

Error bodies never repeat the request.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_BODY_LIMIT = 1_000_000
EVENT_BODY_LIMIT = 10_000_000
_log = logging.getLogger(__name__)


class _TooLarge(Exception):
    pass


def paths_in(value: object) -> Iterator[str]:
    """Yield every ``path`` string of the dicts nested in a decoded JSON value."""
    if isinstance(value, dict):
        path = value.get("path")
        if isinstance(path, str):
            yield path
        for item in value.values():
            yield from paths_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from paths_in(item)


def is_upload(path: str, upload_dir: Path) -> bool:
    """Return True when ``path`` resolves (links followed) inside ``upload_dir``."""
    try:
        return Path(path).resolve().is_relative_to(upload_dir.resolve())
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a link loop
        return False


async def _json(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _read(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class RequestGuard:
    """ASGI middleware: body limits, upload-only file paths, JSON 500s on ``/api``."""

    def __init__(self, app: ASGIApp, upload_dir: Callable[[], Path]) -> None:
        """Wrap ``app``; ``upload_dir`` returns the folder Gradio saves uploads in."""
        self.app = app
        self.upload_dir = upload_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then pass it on (body replayed) or refuse it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        api = path.startswith("/api/")
        event = path.startswith("/gradio_api/") and not path.startswith(
            "/gradio_api/upload"
        )
        if scope["method"] not in ("POST", "PUT", "PATCH") or not (api or event):
            await self._call(scope, receive, send, api)
            return
        limit = API_BODY_LIMIT if api else EVENT_BODY_LIMIT
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        try:
            if int(declared) > limit:
                raise _TooLarge
            body = await _read(receive, limit)
        except (_TooLarge, ValueError):
            await _json(send, 413, f"the request body is over {limit:,} bytes")
            return
        if event and not self._uploads_only(body):
            await _json(
                send,
                400,
                "the request names a file this server did not receive as an "
                "upload; upload files first",
            )
            return
        await self._call(scope, _replay(body, receive), send, api)

    def _uploads_only(self, body: bytes) -> bool:
        try:
            payload = json.loads(body)
        except ValueError:
            return True  # not JSON: Gradio refuses it itself, and it names no file
        folder = self.upload_dir()
        return all(is_upload(p, folder) for p in paths_in(payload))

    async def _call(
        self, scope: Scope, receive: Receive, send: Send, api: bool
    ) -> None:
        if not api:
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:  # any bug: a JSON 500, and the connection stays usable
            _log.exception("error in %s", scope["path"])
            if not started:
                await _json(send, 500, "internal error; the server log has details")


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a ``receive`` that gives ``body`` once, then defers to the client."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
