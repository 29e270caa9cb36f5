"""What keeps the service up under abuse: a request-body limit before anything
reads the body, and a bounded work queue.

``BodyLimit`` is plain ASGI middleware around the whole app. A request whose
Content-Length is over the limit is answered 413 without reading a byte of
it; any other body (chunked, or a Content-Length that lies) is read in
chunks and answered 413 as soon as it passes the limit, so no request ever
holds more than the limit in memory. The body it read is handed on to the
app unchanged.

``WorkQueue`` runs the model in its own executor (not the pool FastAPI runs
sync endpoints in, so ``/health`` never waits behind it) and admits at most
``workers + queued`` requests; one more is refused at once (``QueueFull``,
which the app answers 503 with Retry-After).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
T = TypeVar("T")

JSON_ESCAPED_CHAR_BYTES = 12
"""The most bytes one character can take in a JSON body: a character outside
the BMP written as two \\uXXXX escapes."""


def body_limit_for(max_batch_size: int, max_text_length: int) -> int:
    """The largest body a valid ``POST /embed`` can need, plus slack for the
    JSON around the texts (keys, quotes, commas, whitespace)."""
    per_text = max_text_length * JSON_ESCAPED_CHAR_BYTES + 16
    return max_batch_size * per_text + 4096


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"the request body is over the {self.max_bytes}-byte limit"
        lengths = [
            v for k, v in scope.get("headers", []) if k.lower() == b"content-length"
        ]
        if lengths:
            raw = lengths[0].decode("latin-1").strip()
            if len(lengths) > 1 or not raw.isdigit() or len(raw) > 18:
                await _answer(send, 400, "invalid Content-Length")
                return
            if int(raw) > self.max_bytes:
                await _answer(send, 413, too_large)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _answer(send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class QueueFull(Exception):
    """Every worker is busy and the queue is full."""


class WorkQueue:
    """At most ``workers`` calls at a time in a private executor, at most
    ``queued`` more waiting; beyond that ``submit`` raises QueueFull at once."""

    def __init__(self, workers: int, queued: int) -> None:
        self.capacity = workers + queued
        self.admitted = 0
        self.executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="model"
        )

    async def submit(self, fn: Callable[..., T], *args: Any) -> T:
        # Only the event loop's thread touches `admitted`: no lock needed.
        if self.admitted >= self.capacity:
            raise QueueFull
        self.admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self.executor, fn, *args
            )
        finally:
            self.admitted -= 1

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
