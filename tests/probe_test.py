"""app/probe.py: the embedding service's answer judged, good and broken."""

from __future__ import annotations

import unittest
from typing import Any

from app.probe import evaluate_embed


def embed_body(dimensions: int = 384, count: int = 1) -> dict[str, Any]:
    return {
        "model": "m",
        "dimensions": dimensions,
        "embeddings": [[0.0] * dimensions for _ in range(count)],
    }


class EvaluateEmbedTest(unittest.TestCase):
    def test_one_384_dimensional_vector_passes(self) -> None:
        self.assertEqual(evaluate_embed(200, embed_body()), [])

    def test_two_vectors_for_one_text(self) -> None:
        (problem,) = evaluate_embed(200, embed_body(count=2))
        self.assertIn("returned 2 embeddings, expected 1", problem)

    def test_non_finite_values(self) -> None:
        body = embed_body()
        body["embeddings"][0][0] = None
        (problem,) = evaluate_embed(200, body)
        self.assertIn("non-finite", problem)

    def test_wrong_dimensions(self) -> None:
        problems = evaluate_embed(200, embed_body(768))
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("a 768-dimensional vector, expected 384", problems[0])
        self.assertIn('"dimensions": 768', problems[1])

    def test_an_error_status(self) -> None:
        (problem,) = evaluate_embed(503, {"detail": "embeddings degraded: boom"})
        self.assertIn("POST /embed answered 503", problem)
        self.assertIn("boom", problem)


if __name__ == "__main__":
    unittest.main()
