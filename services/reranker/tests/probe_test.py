"""reranker/probe.py: the service's answer judged, good and broken."""

from __future__ import annotations

import unittest
from typing import Any

from reranker.probe import evaluate_rerank


def rerank_body(order: list[int], score: Any = 0.5) -> dict[str, Any]:
    return {
        "results": [
            {"index": i, "score": score, "lexical": 0.0, "semantic": 0.5} for i in order
        ]
    }


class EvaluateRerankTest(unittest.TestCase):
    def test_the_relevant_document_first_passes(self) -> None:
        self.assertEqual(evaluate_rerank(200, rerank_body([1, 0, 2])), [])

    def test_the_wrong_document_first_fails(self) -> None:
        (problem,) = evaluate_rerank(200, rerank_body([0, 1, 2]))
        self.assertIn("ranked document 0 first, expected 1", problem)

    def test_bad_answers_fail(self) -> None:
        (problem,) = evaluate_rerank(200, rerank_body([1, 1, 2]))
        self.assertIn("returned the indexes [1, 1, 2]", problem)
        (problem,) = evaluate_rerank(200, rerank_body([1, 0]))
        self.assertIn("expected one result a document", problem)
        problems = evaluate_rerank(200, rerank_body([1, 0, 2], score=1.5))
        self.assertEqual(len(problems), 3, problems)
        self.assertIn("a score of 1.5", problems[0])
        (problem,) = evaluate_rerank(503, {"detail": "degraded"})
        self.assertIn("POST /rerank answered 503", problem)


if __name__ == "__main__":
    unittest.main()
