"""The reranking service's probe for the service gate (gates.service_gate).

``probe(base_url)`` ranks three documents for a query and returns the
problems with the answer: one result per document, the relevant one first,
every score in [0, 1]. It lives with the service and is not part of its
image.
"""

from __future__ import annotations

from typing import Any

from gates.probe import http_json

QUERY = "Which animal barks?"
DOCUMENTS = [
    "The train leaves the station at noon.",
    "A dog barks at strangers near the house.",
    "Interest rates rose by a quarter point.",
]
BEST = 1


def evaluate_rerank(status: int, body: Any) -> list[str]:
    """Problems with a ``POST /rerank`` answer for the probe query."""
    if status != 200 or not isinstance(body, dict):
        return [f"POST /rerank answered {status}: {str(body)[:300]}"]
    results = body.get("results")
    if not isinstance(results, list) or len(results) != len(DOCUMENTS):
        return [f"POST /rerank returned {results!r}, expected one result a document"]
    problems: list[str] = []
    indexes = [r.get("index") if isinstance(r, dict) else None for r in results]
    if sorted(i for i in indexes if isinstance(i, int)) != list(range(len(DOCUMENTS))):
        problems.append(f"POST /rerank returned the indexes {indexes}")
    elif indexes[0] != BEST:
        problems.append(
            f"POST /rerank ranked document {indexes[0]} first, expected {BEST}"
        )
    for r in results:
        score = r.get("score") if isinstance(r, dict) else None
        if not isinstance(score, int | float) or not 0 <= score <= 1:
            problems.append(f"POST /rerank returned a score of {score!r}")
    return problems


def probe(base_url: str) -> list[str]:
    status, body = http_json(
        "POST", base_url + "/rerank", {"query": QUERY, "documents": DOCUMENTS}
    )
    return evaluate_rerank(status, body)
