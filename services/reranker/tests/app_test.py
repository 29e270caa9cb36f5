"""The reranking service through FastAPI's TestClient: the real model on the
stack's torch, a degraded model, and every bad input."""

from __future__ import annotations

import json
import unittest
from typing import Any

from fastapi.testclient import TestClient
from reranker import ranking
from reranker.config import ConfigError, Settings, load_settings
from reranker.main import create_app

QUERY = "Which animal barks?"
DOCUMENTS = [
    "Cats purr when they are content.",
    "A dog barks at strangers near the house.",
    "The train leaves the station at noon.",
]


class BrokenEncoder:
    """Returns the same vector for every text: the probe cannot be ranked."""

    def encode(self, sentences: list[str], **kwargs: Any) -> Any:
        return [[1.0, 0.0] for _ in sentences]


def client(
    settings: Settings | None = None, loader: Any = ranking.load_encoder
) -> TestClient:
    return TestClient(create_app(settings or Settings(), loader))


class RealModelTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls._client = client()
        cls.client = cls._client.__enter__()  # runs the lifespan: loads the model

    @classmethod
    def tearDownClass(cls) -> None:
        cls._client.__exit__(None, None, None)

    def test_health_is_ok(self) -> None:
        response = self.client.get("/health")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["checks"], {"ranking": "ok"})

    def test_the_relevant_document_comes_first(self) -> None:
        response = self.client.post(
            "/rerank", json={"query": QUERY, "documents": DOCUMENTS}
        )
        self.assertEqual(response.status_code, 200, response.text)
        results = response.json()["results"]
        self.assertEqual([r["index"] for r in results][0], 1)
        self.assertEqual(sorted(r["index"] for r in results), [0, 1, 2])
        scores = [r["score"] for r in results]
        self.assertEqual(scores, sorted(scores, reverse=True))
        self.assertGreater(results[0]["lexical"], 0)  # "barks" matches
        for r in results:
            self.assertTrue(0 <= r["semantic"] <= 1 and 0 <= r["lexical"] <= 1)

    def test_semantic_only_still_ranks_by_meaning(self) -> None:
        with client(Settings(lexical_weight=0.0)) as c:
            response = c.post(
                "/rerank",
                json={
                    "query": "a puppy",
                    "documents": ["stock prices fell", "a young dog"],
                },
            )
        self.assertEqual(response.json()["results"][0]["index"], 1)

    def test_bad_inputs_are_422_with_a_reason(self) -> None:
        long_text = "x" * (Settings().max_text_length + 1)
        cases = {
            "not json": b"{",
            "no documents": json.dumps({"query": "q", "documents": []}).encode(),
            "empty query": json.dumps({"query": " ", "documents": ["d"]}).encode(),
            "not strings": json.dumps({"query": "q", "documents": [1]}).encode(),
            "too long": json.dumps({"query": "q", "documents": [long_text]}).encode(),
            "too many": json.dumps(
                {"query": "q", "documents": ["d"] * (Settings().max_documents + 1)}
            ).encode(),
        }
        for name, body in cases.items():
            with self.subTest(name):
                response = self.client.post(
                    "/rerank",
                    content=body,
                    headers={"content-type": "application/json"},
                )
                self.assertEqual(response.status_code, 422, response.text)
                self.assertTrue(response.json()["detail"])

    def test_a_body_over_the_limit_is_413_before_parsing(self) -> None:
        limit = Settings().max_body_bytes
        response = self.client.post(
            "/rerank",
            content=b"x" * (limit + 1),
            headers={"content-type": "application/json"},
        )
        self.assertEqual(response.status_code, 413)

    def test_a_chunked_body_over_the_limit_is_413(self) -> None:
        limit = Settings().max_body_bytes

        def chunks() -> Any:
            for _ in range(limit // 65536 + 2):
                yield b"x" * 65536

        response = self.client.post(
            "/rerank", content=chunks(), headers={"content-type": "application/json"}
        )
        self.assertEqual(response.status_code, 413)


class DegradedTest(unittest.TestCase):
    def test_a_model_that_ranks_the_probe_wrong_degrades_the_service(self) -> None:
        with client(loader=lambda path, device: BrokenEncoder()) as c:
            health = c.get("/health")
            self.assertEqual(health.status_code, 503)
            self.assertIn(
                "the model ranked probe document", health.json()["checks"]["ranking"]
            )
            response = c.post("/rerank", json={"query": QUERY, "documents": DOCUMENTS})
            self.assertEqual(response.status_code, 503)

    def test_a_model_that_fails_to_load_degrades_the_service(self) -> None:
        def missing(path: str, device: str) -> ranking.Encoder:
            raise OSError(f"no model at {path}")

        with client(Settings(model_path="/nonexistent"), missing) as c:
            health = c.get("/health")
            self.assertEqual(health.status_code, 503)
            self.assertIn(
                "no model at /nonexistent", health.json()["checks"]["ranking"]
            )


class SettingsTest(unittest.TestCase):
    def test_bad_values_name_the_variable(self) -> None:
        for env in (
            {"RERANKER_MAX_DOCUMENTS": "0"},
            {"RERANKER_MAX_DOCUMENTS": "many"},
            {"RERANKER_MAX_TEXT_LENGTH": "99999999"},
            {"RERANKER_LEXICAL_WEIGHT_PERCENT": "101"},
            {"RERANKER_DEVICE": "tpu"},
        ):
            with (
                self.subTest(env=env),
                self.assertRaisesRegex(ConfigError, next(iter(env))),
            ):
                load_settings(env)

    def test_defaults(self) -> None:
        self.assertEqual(load_settings({}), Settings())


if __name__ == "__main__":
    unittest.main()
