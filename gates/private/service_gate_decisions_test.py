"""service_gate without a stack: a stub service, the probe loader, /health."""

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

from gates.private import gate_process
from gates.private.numpy_gate import child_interpreter
from gates.private.service_gate import (
    ProbeError,
    check,
    evaluate_health,
    load_probe,
)
from gates.probe import http_json

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


def echo_probe(base_url: str) -> list[str]:
    """A probe as a service brings one: POST /work must answer {"done": true}."""
    status, body = http_json("POST", base_url + "/work", {"x": 1})
    if status == 200 and body == {"done": True}:
        return []
    return [f"POST /work answered {status}: {body}"]


class StubService:
    """A tiny HTTP server answering /health and /work with canned JSON."""

    def __init__(
        self,
        health: tuple[int, Any] = (200, HEALTHY),
        work: tuple[int, Any] = (200, {"done": True}),
        start_after: float = 0.0,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        routes = {"/health": health, "/work": work}

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


class StubServiceTest(unittest.TestCase):
    def test_healthy_stub_passes(self) -> None:
        with StubService() as stub:
            self.assertEqual(check(stub.url, echo_probe, timeout=10), [])

    def test_waits_for_a_slow_start(self) -> None:
        with StubService(start_after=1.0) as stub:
            started = time.monotonic()
            self.assertEqual(check(stub.url, echo_probe, timeout=20), [])
            self.assertGreaterEqual(time.monotonic() - started, 0.9)

    def test_nothing_listening_times_out_with_a_message(self) -> None:
        port = free_port()
        started = time.monotonic()
        (problem,) = check(f"http://127.0.0.1:{port}", echo_probe, timeout=1.0)
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
            (problem,) = check(stub.url, echo_probe, timeout=30)
            self.assertLess(
                time.monotonic() - started, 10, "a degraded answer is final"
            )
        self.assertIn("GET /health answered 503 with status='degraded'", problem)
        self.assertIn("warm-up failed: OSError: model.safetensors missing", problem)

    def test_the_probe_failing_fails(self) -> None:
        with StubService(work=(503, {"detail": "degraded: boom"})) as stub:
            (problem,) = check(stub.url, echo_probe, timeout=10)
        self.assertIn("POST /work answered 503", problem)
        self.assertIn("boom", problem)

    def test_a_probe_that_cannot_connect_fails(self) -> None:
        def elsewhere(_base_url: str) -> list[str]:
            return echo_probe(f"http://127.0.0.1:{free_port()}")

        with StubService() as stub:
            (problem,) = check(stub.url, elsewhere, timeout=10)
        self.assertIn(f"the probe of {stub.url} failed: URLError", problem)


class LoadProbeTest(unittest.TestCase):
    def write(self, text: str) -> str:
        tmp = tempfile.NamedTemporaryFile(
            "w", suffix="_probe.py", delete=False, dir=os.environ.get("TEST_TMPDIR")
        )
        self.addCleanup(os.unlink, tmp.name)
        with tmp:
            tmp.write(text)
        return tmp.name

    def test_a_service_probe_file_loads(self) -> None:
        path = self.write("def probe(base_url):\n    return [base_url]\n")
        self.assertEqual(load_probe(path)("http://x"), ["http://x"])

    def test_a_missing_file(self) -> None:
        with self.assertRaisesRegex(
            ProbeError, "probe file /nonexistent.py: not found"
        ):
            load_probe("/nonexistent.py")

    def test_a_file_without_probe(self) -> None:
        path = self.write("PROBE = 1\n")
        with self.assertRaisesRegex(ProbeError, "defines no probe\\(base_url\\)"):
            load_probe(path)

    def test_a_file_that_does_not_import(self) -> None:
        path = self.write("import no_such_module_here\n")
        with self.assertRaisesRegex(ProbeError, "does not import: ModuleNotFoundError"):
            load_probe(path)

    def test_the_command_line_names_a_bad_probe(self) -> None:
        result = subprocess.run(
            [
                *child_interpreter(),
                "-m",
                "gates.private.service_gate",
                "--probe",
                "/nope.py",
            ],
            env=dict(os.environ, PYTHONPATH=gate_process.child_path()),
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("probe file /nope.py: not found", result.stdout + result.stderr)


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


if __name__ == "__main__":
    unittest.main()
