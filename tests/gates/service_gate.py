"""Gate: a running embedding service is healthy and embeds.

    python3 -m gates.service_gate [--url http://127.0.0.1:8000]
        [--timeout 120] [--dimensions 384]

Waits (at most ``--timeout`` seconds, env ``SERVICE_GATE_TIMEOUT``) for the
service at ``--url`` (env ``SERVICE_URL``) to answer, then checks:

1. ``GET /health`` answers 200 with ``"status": "ok"`` and
   ``"checks": {"embeddings": "ok"}``;
2. ``POST /embed`` with one text answers 200 with one 384-dimensional vector.

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
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from gates.reporting import report

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_S = 120.0
EXPECTED_DIMENSIONS = 384
PROBE_TEXT = "The service gate checks that embeddings come back."


class ServiceUnreachable(Exception):
    """Nothing answered at the URL before the deadline."""


def http_json(
    method: str, url: str, body: Any | None = None, timeout: float = 30.0
) -> tuple[int, Any]:
    """``(status, JSON or raw text)``; error statuses are returned, not raised."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
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
    """Problems with a ``GET /health`` answer."""
    if not isinstance(body, dict):
        return [
            f"GET /health answered {status} with a non-JSON body: {str(body)[:200]}"
        ]
    embeddings = (body.get("checks") or {}).get("embeddings")
    if status == 200 and body.get("status") == "ok" and embeddings == "ok":
        return []
    return [
        f"GET /health answered {status} with status={body.get('status')!r}, "
        f"embeddings={embeddings!r}: the service is up but its model is not usable "
        "(that is the reason its warm-up gave; its log has the traceback)"
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


def check(
    base_url: str = DEFAULT_URL,
    timeout: float = DEFAULT_TIMEOUT_S,
    expected_dimensions: int = EXPECTED_DIMENSIONS,
) -> list[str]:
    """The whole gate against ``base_url``; ``[]`` means pass."""
    base = base_url.rstrip("/")
    try:
        status, body = wait_for_service(base, timeout)
    except ServiceUnreachable as exc:
        return [str(exc)]
    problems = evaluate_health(status, body)
    if problems:
        return problems
    try:
        status, body = http_json("POST", base + "/embed", {"texts": [PROBE_TEXT]})
    except (OSError, http.client.HTTPException) as exc:
        return [f"POST {base}/embed failed: {type(exc).__name__}: {exc}"]
    return evaluate_embed(status, body, expected_dimensions)


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
    args = parser.parse_args(argv)
    problems = check(args.url, args.timeout, args.dimensions)
    return report(
        "service gate",
        problems,
        f"{args.url}: /health ok, /embed returns {args.dimensions} dimensions",
    )


if __name__ == "__main__":
    sys.exit(main())
