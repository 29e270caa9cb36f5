"""The embedding service's probe for the service gate (gates.service_gate).

``probe(base_url)`` embeds one text and returns the problems with the answer:
one finite vector of ``EXPECTED_DIMENSIONS`` numbers, and ``"dimensions"``
saying so. It lives with the service and is not part of its image.
"""

from __future__ import annotations

import math
from typing import Any

from gates.probe import http_json

EXPECTED_DIMENSIONS = 384
PROBE_TEXT = "The service gate checks that embeddings come back."


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


def probe(base_url: str) -> list[str]:
    status, body = http_json("POST", base_url + "/embed", {"texts": [PROBE_TEXT]})
    return evaluate_embed(status, body)
