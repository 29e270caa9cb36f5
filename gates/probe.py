"""What a service's probe may use (the public part of the gates rule set).

A service's probe file (``app/probe.py``, ``services/<name>/<name>/probe.py``)
defines ``probe(base_url) -> list[str]``, the problems with the service's
answer to one real request; the service gate (``//gates``) loads it by path
once ``/health`` is ok. These helpers keep a probe to the standard library:

- ``http_json(method, url, body)``: the status and the JSON (or text) answer;
- ``png_of(rows)``: an 8-bit grayscale PNG, for a probe that sends an image.
"""

from __future__ import annotations

import json
import struct
import urllib.error
import urllib.request
import zlib
from collections.abc import Sequence
from typing import Any


def http_json(
    method: str,
    url: str,
    body: Any | None = None,
    timeout: float = 30.0,
    content_type: str = "application/json",
) -> tuple[int, Any]:
    """``(status, JSON or raw text)``; error statuses are returned, not raised.

    ``body`` is sent as JSON, or as is when it is ``bytes``.
    """
    data = (
        body
        if isinstance(body, bytes)
        else (None if body is None else json.dumps(body).encode())
    )
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    text = raw.decode("utf-8", "replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def png_of(pixels: Sequence[bytes]) -> bytes:
    """An 8-bit grayscale PNG of equally long rows, standard library only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", len(pixels[0]), len(pixels), 8, 0, 0, 0, 0)
    raw = b"".join(b"\0" + row for row in pixels)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
