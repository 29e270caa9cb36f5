"""service_gate against the stack's real service, with the service's own probe.

The gate's decisions and failing cases (a stub service, a degraded one, an
absent one, bad probe files) are service_gate_decisions_test.py, run once
without any stack.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import unittest

from gates.private import gate_process
from gates.private.numpy_gate import child_interpreter
from gates.private.service_gate import check, load_probe


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RealServiceTest(unittest.TestCase):
    """The stack's service (``python3 -m $SERVICE_SERVER --port N``, on the CPU)
    with its own probe (SERVICE_PROBE): what stack_gates' service gate sets."""

    def test_real_service_passes(self) -> None:
        server_module = os.environ.get("SERVICE_SERVER")
        probe_file = os.environ.get("SERVICE_PROBE")
        if not server_module or not probe_file:
            self.fail("SERVICE_SERVER and SERVICE_PROBE must be set (stack_gates)")
        probe = load_probe(probe_file)
        port = free_port()
        log = tempfile.TemporaryFile(mode="w+")
        self.addCleanup(log.close)
        env = dict(
            os.environ, PYTHONPATH=gate_process.child_path(), EMBEDDING_DEVICE="cpu"
        )
        server = subprocess.Popen(
            [*child_interpreter(), "-m", server_module, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            problems = check(f"http://127.0.0.1:{port}", probe, timeout=240)
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


if __name__ == "__main__":
    unittest.main()
