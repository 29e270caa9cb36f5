"""service_gate: passes against the real service, fails on broken or absent ones."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import gate_process
from gates.numpy_gate import child_interpreter
from gates.service_gate import (
    check,
    evaluate_embed,
    evaluate_health,
    evaluate_rerank,
    stats_probe_image,
)

HEALTHY = {
    "status": "ok",
    "service": "s",
    "timestamp": "t",
    "checks": {"embeddings": "ok"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def embed_body(dimensions: int = 384, count: int = 1) -> dict[str, Any]:
    return {
        "model": "m",
        "dimensions": dimensions,
        "embeddings": [[0.0] * dimensions for _ in range(count)],
    }


class StubService:
    """A tiny HTTP server answering /health and /embed with canned JSON."""

    def __init__(
        self,
        health: tuple[int, Any] = (200, HEALTHY),
        embed: tuple[int, Any] = (200, embed_body()),
        start_after: float = 0.0,
        stats: tuple[int, Any] = (404, {"detail": "Not Found"}),
        rerank: tuple[int, Any] = (404, {"detail": "Not Found"}),
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        routes = {
            "/health": health,
            "/embed": embed,
            "/stats": stats,
            "/rerank": rerank,
        }

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                status, body = routes.get(self.path, (404, {"detail": "Not Found"}))
                data = (
                    json.dumps(body).encode() if not isinstance(body, bytes) else body
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server: ThreadingHTTPServer | None = None
        self._handler = Handler
        self._thread = threading.Thread(
            target=self._serve, args=(start_after,), daemon=True
        )

    def _serve(self, delay: float) -> None:
        time.sleep(delay)
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler)
        self.server.serve_forever(poll_interval=0.05)

    def __enter__(self) -> StubService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        while self._thread.is_alive() and self.server is None:
            time.sleep(0.01)
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class RealServiceTest(unittest.TestCase):
    """``python3 -m app.server`` with the packaged model, on the CPU."""

    def test_real_service_passes(self) -> None:
        port = free_port()
        log = tempfile.TemporaryFile(mode="w+")
        self.addCleanup(log.close)
        env = dict(
            os.environ, PYTHONPATH=gate_process.child_path(), EMBEDDING_DEVICE="cpu"
        )
        server = subprocess.Popen(
            [*child_interpreter(), "-m", "app.server", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            problems = check(f"http://127.0.0.1:{port}", timeout=240)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.seek(0)
        output = log.read()
        self.assertEqual(problems, [], "\n".join(problems) + "\nserver log:\n" + output)
        self.assertIn("embeddings ready: provider=sentence-transformers", output)


class StubServiceTest(unittest.TestCase):
    def test_healthy_stub_passes(self) -> None:
        with StubService() as stub:
            self.assertEqual(check(stub.url, timeout=10), [])

    def test_waits_for_a_slow_start(self) -> None:
        with StubService(start_after=1.0) as stub:
            started = time.monotonic()
            self.assertEqual(check(stub.url, timeout=20), [])
            self.assertGreaterEqual(time.monotonic() - started, 0.9)

    def test_nothing_listening_times_out_with_a_message(self) -> None:
        port = free_port()
        started = time.monotonic()
        (problem,) = check(f"http://127.0.0.1:{port}", timeout=1.0)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, 5.0)
        self.assertIn(
            f"nothing answered GET http://127.0.0.1:{port}/health within 1s", problem
        )
        self.assertIn("Connection refused", problem)

    def test_degraded_service_fails_with_its_reason(self) -> None:
        degraded = {
            "status": "degraded",
            "service": "s",
            "timestamp": "t",
            "checks": {
                "embeddings": "warm-up failed: OSError: model.safetensors missing"
            },
        }
        with StubService(health=(503, degraded)) as stub:
            started = time.monotonic()
            (problem,) = check(stub.url, timeout=30)
            self.assertLess(
                time.monotonic() - started, 10, "a degraded answer is final"
            )
        self.assertIn("GET /health answered 503 with status='degraded'", problem)
        self.assertIn("warm-up failed: OSError: model.safetensors missing", problem)

    def test_wrong_dimensions_fail(self) -> None:
        with StubService(embed=(200, embed_body(768))) as stub:
            problems = check(stub.url, timeout=10)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn(
            "POST /embed returned a 768-dimensional vector, expected 384", problems[0]
        )
        self.assertIn('"dimensions": 768', problems[1])

    def test_embed_error_fails(self) -> None:
        with StubService(embed=(503, {"detail": "embeddings degraded: boom"})) as stub:
            (problem,) = check(stub.url, timeout=10)
        self.assertIn("POST /embed answered 503", problem)
        self.assertIn("boom", problem)


def stats_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "width": 64,
        "height": 64,
        "mode": "L",
        "regions_above_threshold": 2,
        "channels": {"L": {"min": 20, "max": 220}},
        "entropy_bits": 0.6,
        "edge_fraction": 0.03,
        "sharpness": 2968.75,
        "skewness": 1.9,
    }
    body.update(changes)
    return body


class StatsProbeTest(unittest.TestCase):
    def test_healthy_stats_service_passes(self) -> None:
        health = dict(HEALTHY, checks={"analysis": "ok"})
        with StubService(health=(200, health), stats=(200, stats_body())) as stub:
            self.assertEqual(check(stub.url, timeout=10, probe="stats"), [])

    def test_wrong_answers_fail(self) -> None:
        body = stats_body(regions_above_threshold=1, sharpness=None)
        with StubService(stats=(200, body)) as stub:
            problems = check(stub.url, timeout=10, probe="stats")
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("regions_above_threshold=1, expected 2", problems[0])
        self.assertIn("sharpness=None, not a finite number", problems[1])

    def test_embedding_service_has_no_stats(self) -> None:
        with StubService() as stub:
            (problem,) = check(stub.url, timeout=10, probe="stats")
        self.assertIn("POST /stats answered 404", problem)

    def test_the_probe_image_is_a_png_of_the_promised_size(self) -> None:
        data = stats_probe_image()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(data[16:24], (64).to_bytes(4, "big") * 2)

    def test_unknown_probe(self) -> None:
        (problem,) = check("http://127.0.0.1:9", timeout=1, probe="nope")
        self.assertIn("unknown probe 'nope'", problem)


def rerank_body(order: list[int], score: Any = 0.5) -> dict[str, Any]:
    return {
        "results": [
            {"index": i, "score": score, "lexical": 0.0, "semantic": 0.5} for i in order
        ]
    }


class RerankProbeTest(unittest.TestCase):
    def test_healthy_reranker_passes(self) -> None:
        health = dict(HEALTHY, checks={"ranking": "ok"})
        with StubService(
            health=(200, health), rerank=(200, rerank_body([1, 0, 2]))
        ) as stub:
            self.assertEqual(check(stub.url, timeout=10, probe="rerank"), [])

    def test_the_wrong_document_first_fails(self) -> None:
        with StubService(rerank=(200, rerank_body([0, 1, 2]))) as stub:
            (problem,) = check(stub.url, timeout=10, probe="rerank")
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

    def test_other_services_have_no_rerank(self) -> None:
        with StubService() as stub:
            (problem,) = check(stub.url, timeout=10, probe="rerank")
        self.assertIn("POST /rerank answered 404", problem)


class DecisionTest(unittest.TestCase):
    def test_health(self) -> None:
        self.assertEqual(evaluate_health(200, HEALTHY), [])
        (problem,) = evaluate_health(
            200, {"status": "ok", "checks": {"embeddings": "x"}}
        )
        self.assertIn("embeddings='x'", problem)
        (problem,) = evaluate_health(502, "<html>Bad Gateway</html>")
        self.assertIn("GET /health answered 502 with a non-JSON body", problem)
        (problem,) = evaluate_health(200, {"status": "ok", "checks": {}})
        self.assertIn("without any checks", problem)
        two = {"status": "ok", "checks": {"analysis": "ok", "gpu": "lost"}}
        (problem,) = evaluate_health(200, two)
        self.assertIn("gpu='lost'", problem)
        self.assertNotIn("analysis=", problem)

    def test_embed(self) -> None:
        self.assertEqual(evaluate_embed(200, embed_body()), [])
        (problem,) = evaluate_embed(200, embed_body(count=2))
        self.assertIn("returned 2 embeddings, expected 1", problem)
        body = embed_body()
        body["embeddings"][0][0] = None
        (problem,) = evaluate_embed(200, body)
        self.assertIn("non-finite", problem)


if __name__ == "__main__":
    unittest.main()
