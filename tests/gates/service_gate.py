"""Gate: a running service is healthy and does its work.

    python3 -m gates.service_gate [--url http://127.0.0.1:8000]
        [--timeout 120] [--probe embed|stats|rerank] [--dimensions 384]

Waits (at most ``--timeout`` seconds, env ``SERVICE_GATE_TIMEOUT``) for the
service at ``--url`` (env ``SERVICE_URL``) to answer, then checks:

1. ``GET /health`` answers 200 with ``"status": "ok"`` and every entry of
   ``"checks"`` (at least one) ``"ok"``;
2. the service's probe (``--probe``, env ``SERVICE_PROBE``; ``PROBES``):
   - ``embed``: ``POST /embed`` with one text answers 200 with one
     384-dimensional vector (the embedding service);
   - ``stats``: ``POST /stats`` with a 64x64 PNG of two bright squares answers
     200 with its size and the two regions (the imagestats service);
   - ``rerank``: ``POST /rerank`` with a query and three documents answers
     200 with the relevant one first and every score in [0, 1] (the
     reranking service).

The service warms its model up before it accepts connections, so the first
answer is final: a degraded service fails at once with its reason, it is not
waited on. Standard library only (``urllib``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import struct
import sys
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from gates.reporting import report

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_S = 120.0
EXPECTED_DIMENSIONS = 384
PROBE_TEXT = "The service gate checks that embeddings come back."


class ServiceUnreachable(Exception):
    """Nothing answered at the URL before the deadline."""


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


def wait_for_service(base_url: str, timeout: float) -> tuple[int, Any]:
    """Poll ``GET /health`` until anything answers; return that first answer.

    Raises ``ServiceUnreachable`` (with the last connection error) on timeout.
    """
    deadline = time.monotonic() + timeout
    url = base_url.rstrip("/") + "/health"
    last_error = "no attempt made"
    delay = 0.2
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServiceUnreachable(
                f"nothing answered GET {url} within {timeout:g}s (last error: "
                f"{last_error}); is the service running and listening on that "
                "address? Its log tells why it did not come up"
            )
        try:
            return http_json("GET", url, timeout=max(0.5, min(remaining, 30.0)))
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timeout
            reason = getattr(exc, "reason", exc)
            last_error = f"{type(exc).__name__}: {reason}"
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 1.5, 2.0)


def evaluate_health(status: int, body: Any) -> list[str]:
    """Problems with a ``GET /health`` answer: it must be 200, ok, every check ok."""
    if not isinstance(body, dict):
        return [
            f"GET /health answered {status} with a non-JSON body: {str(body)[:200]}"
        ]
    checks = body.get("checks")
    if not isinstance(checks, dict) or not checks:
        return [f"GET /health answered {status} without any checks: {str(body)[:200]}"]
    failed = {name: value for name, value in checks.items() if value != "ok"}
    if status == 200 and body.get("status") == "ok" and not failed:
        return []
    return [
        f"GET /health answered {status} with status={body.get('status')!r}, "
        + ", ".join(f"{name}={value!r}" for name, value in (failed or checks).items())
        + ": the service is up but not usable (that is the reason its warm-up "
        "gave; its log has the traceback)"
    ]


def evaluate_embed(
    status: int, body: Any, expected_dimensions: int = EXPECTED_DIMENSIONS
) -> list[str]:
    """Problems with a ``POST /embed`` answer for one text."""
    if status != 200 or not isinstance(body, dict):
        return [f"POST /embed answered {status}: {str(body)[:300]}"]
    vectors = body.get("embeddings")
    if not isinstance(vectors, list) or len(vectors) != 1:
        count = len(vectors) if isinstance(vectors, list) else vectors
        return [f"POST /embed with one text returned {count!r} embeddings, expected 1"]
    (vector,) = vectors
    problems: list[str] = []
    if not isinstance(vector, list) or len(vector) != expected_dimensions:
        size = len(vector) if isinstance(vector, list) else type(vector).__name__
        problems.append(
            f"POST /embed returned a {size}-dimensional vector, expected "
            f"{expected_dimensions}"
        )
    elif not all(isinstance(x, int | float) and math.isfinite(x) for x in vector):
        problems.append("POST /embed returned a vector with non-finite values")
    if body.get("dimensions") != expected_dimensions:
        problems.append(
            f'POST /embed reports "dimensions": {body.get("dimensions")!r}, '
            f"expected {expected_dimensions}"
        )
    return problems


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


def stats_probe_image() -> bytes:
    """64x64, a dark field (20) with two bright (220) squares that do not touch."""
    rows = []
    for y in range(64):
        row = bytearray([20] * 64)
        if 8 <= y < 24:
            row[8:24] = bytes([220] * 16)
        if 40 <= y < 56:
            row[36:60] = bytes([220] * 24)
        rows.append(bytes(row))
    return png_of(rows)


def evaluate_stats(status: int, body: Any) -> list[str]:
    """Problems with a ``POST /stats`` answer for ``stats_probe_image``."""
    if status != 200 or not isinstance(body, dict):
        return [f"POST /stats answered {status}: {str(body)[:300]}"]
    want = {"width": 64, "height": 64, "mode": "L", "regions_above_threshold": 2}
    problems = [
        f"POST /stats reports {key}={body.get(key)!r}, expected {value!r}"
        for key, value in want.items()
        if body.get(key) != value
    ]
    channel = (body.get("channels") or {}).get("L") or {}
    if (channel.get("min"), channel.get("max")) != (20, 220):
        problems.append(
            f"POST /stats reports the L channel as {channel}, expected min 20, max 220"
        )
    for key in ("entropy_bits", "edge_fraction", "sharpness", "skewness"):
        value = body.get(key)
        if not isinstance(value, int | float) or not math.isfinite(value):
            problems.append(f"POST /stats reports {key}={value!r}, not a finite number")
    return problems


RERANK_QUERY = "Which animal barks?"
RERANK_DOCUMENTS = [
    "The train leaves the station at noon.",
    "A dog barks at strangers near the house.",
    "Interest rates rose by a quarter point.",
]
RERANK_BEST = 1


def evaluate_rerank(status: int, body: Any) -> list[str]:
    """Problems with a ``POST /rerank`` answer for the probe query."""
    if status != 200 or not isinstance(body, dict):
        return [f"POST /rerank answered {status}: {str(body)[:300]}"]
    results = body.get("results")
    if not isinstance(results, list) or len(results) != len(RERANK_DOCUMENTS):
        return [f"POST /rerank returned {results!r}, expected one result a document"]
    problems: list[str] = []
    indexes = [r.get("index") if isinstance(r, dict) else None for r in results]
    if sorted(i for i in indexes if isinstance(i, int)) != list(
        range(len(RERANK_DOCUMENTS))
    ):
        problems.append(f"POST /rerank returned the indexes {indexes}")
    elif indexes[0] != RERANK_BEST:
        problems.append(
            f"POST /rerank ranked document {indexes[0]} first, expected {RERANK_BEST}"
        )
    for r in results:
        score = r.get("score") if isinstance(r, dict) else None
        if not isinstance(score, int | float) or not 0 <= score <= 1:
            problems.append(f"POST /rerank returned a score of {score!r}")
    return problems


def probe_rerank(base: str, _expected_dimensions: int) -> list[str]:
    status, body = http_json(
        "POST", base + "/rerank", {"query": RERANK_QUERY, "documents": RERANK_DOCUMENTS}
    )
    return evaluate_rerank(status, body)


def probe_embed(base: str, expected_dimensions: int) -> list[str]:
    status, body = http_json("POST", base + "/embed", {"texts": [PROBE_TEXT]})
    return evaluate_embed(status, body, expected_dimensions)


def probe_stats(base: str, _expected_dimensions: int) -> list[str]:
    status, body = http_json(
        "POST", base + "/stats", stats_probe_image(), content_type="image/png"
    )
    return evaluate_stats(status, body)


PROBES: dict[str, Callable[[str, int], list[str]]] = {
    "embed": probe_embed,
    "rerank": probe_rerank,
    "stats": probe_stats,
}
"""What each service does, asked of it once it is healthy."""


def check(
    base_url: str = DEFAULT_URL,
    timeout: float = DEFAULT_TIMEOUT_S,
    expected_dimensions: int = EXPECTED_DIMENSIONS,
    probe: str = "embed",
) -> list[str]:
    """The whole gate against ``base_url``; ``[]`` means pass."""
    if probe not in PROBES:
        return [f"unknown probe {probe!r}; the probes are {', '.join(PROBES)}"]
    base = base_url.rstrip("/")
    try:
        status, body = wait_for_service(base, timeout)
    except ServiceUnreachable as exc:
        return [str(exc)]
    problems = evaluate_health(status, body)
    if problems:
        return problems
    try:
        return PROBES[probe](base, expected_dimensions)
    except (OSError, http.client.HTTPException) as exc:
        return [f"the {probe} probe of {base} failed: {type(exc).__name__}: {exc}"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gates.service_gate", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--url", default=os.environ.get("SERVICE_URL") or DEFAULT_URL, help="base URL"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=float(os.environ.get("SERVICE_GATE_TIMEOUT") or DEFAULT_TIMEOUT_S),
        help="seconds to wait for the service to answer",
    )
    parser.add_argument("--dimensions", type=int, default=EXPECTED_DIMENSIONS)
    parser.add_argument(
        "--probe",
        choices=sorted(PROBES),
        default=os.environ.get("SERVICE_PROBE") or "embed",
        help="what to ask of the service once healthy (env SERVICE_PROBE)",
    )
    args = parser.parse_args(argv)
    problems = check(args.url, args.timeout, args.dimensions, args.probe)
    return report(
        "service gate", problems, f"{args.url}: /health ok, the {args.probe} probe ok"
    )


if __name__ == "__main__":
    sys.exit(main())
