"""embedding_gate's decisions and failing cases, without any stack: each judged
on facts given to it (the stack-independent half of embedding_gate_test.py)."""

from __future__ import annotations

import math
import unittest
from typing import Any

from gates.private.embedding_gate import (
    PARAPHRASES,
    UNRELATED,
    check,
    evaluate_model,
)


def unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


def basis(index: int, dimensions: int = 384) -> list[float]:
    return [1.0 if i == index else 0.0 for i in range(dimensions)]


class FakeModel:
    """``encode`` maps each text through ``vector_for`` (and ignores its kwargs)."""

    def __init__(self, vector_for: Any) -> None:
        self.vector_for = vector_for

    def encode(self, sentences: list[str], **kwargs: Any) -> list[list[float]]:
        return [self.vector_for(text) for text in sentences]


def sane(text: str) -> list[float]:
    """Paraphrases share a direction, the unrelated sentence points elsewhere."""
    if text in PARAPHRASES:
        return unit([*basis(0)[:383], 0.1 * (PARAPHRASES.index(text) + 1)])
    return basis(1) if text == UNRELATED else basis(2)


class FakeModelTest(unittest.TestCase):
    def test_sane_fake_passes(self) -> None:
        self.assertEqual(evaluate_model(FakeModel(sane)), [])

    def test_768_dimensions(self) -> None:
        (problem,) = evaluate_model(FakeModel(lambda text: unit([1.0] * 768)))
        self.assertIn('encode(["test"]) has shape (1, 768), expected (1, 384)', problem)
        self.assertIn("not the all-MiniLM-L6-v2 model", problem)

    def test_unnormalised(self) -> None:
        (problem,) = evaluate_model(
            FakeModel(lambda text: [2.0 * x for x in sane(text)])
        )
        self.assertIn("embeddings are not normalised: norms 2.0000", problem)

    def test_nan(self) -> None:
        (problem,) = evaluate_model(FakeModel(lambda text: [math.nan] * 384))
        self.assertIn("NaN or infinite values", problem)

    def test_paraphrases_not_closest(self) -> None:
        def garbage(text: str) -> list[float]:
            if text == PARAPHRASES[0]:
                return basis(0)
            if text == PARAPHRASES[1]:
                return basis(1)
            return unit([1.0, 1.0, *[0.0] * 382])  # between the two "paraphrases"

        (problem,) = evaluate_model(FakeModel(garbage))
        self.assertIn("paraphrases are not closer than an unrelated sentence", problem)
        self.assertIn("cos(paraphrases)=0.000", problem)

    def test_encode_raises(self) -> None:
        def broken(text: str) -> list[float]:
            raise RuntimeError("CUDA error: no kernel image is available")

        (problem,) = evaluate_model(FakeModel(broken))
        self.assertEqual(
            problem,
            "encoding failed: RuntimeError: CUDA error: no kernel image is available",
        )

    def test_expected_dimensions_is_an_argument(self) -> None:
        model = FakeModel(lambda text: [*sane(text), *[0.0] * 384])
        self.assertEqual(check(model=model, expected_dimensions=768), [])
        (problem,) = check(model=model)
        self.assertIn("shape (1, 768), expected (1, 384)", problem)

    def test_missing_model_directory(self) -> None:
        (problem,) = check(model_path="/nonexistent/model", device="cpu")
        self.assertIn(
            "loading the model from /nonexistent/model on cpu failed", problem
        )


if __name__ == "__main__":
    unittest.main()
