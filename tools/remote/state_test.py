"""Tests for state.sh: an engine's leftovers are cleared, a live engine is not."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import unittest

STATE_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "state.sh")


def run(function: str, state: str) -> subprocess.CompletedProcess[str]:
    """Calls one of state.sh's functions on STATE in a fresh bash."""
    return subprocess.run(
        [
            "bash",
            "-c",
            'set -euo pipefail; source "$1"; "$2" "$3"',
            "sh",
            STATE_SH,
            function,
            state,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ClearStaleTest(unittest.TestCase):
    def setUp(self) -> None:
        self.state = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        os.makedirs(os.path.join(self.state, "pg"))

    def write(self, name: str, text: str) -> None:
        with open(os.path.join(self.state, name), "w", encoding="utf-8") as out:
            out.write(text)

    def leave_a_killed_engine(self, ports: list[int]) -> None:
        """What a session's end leaves: PIDs, the work tree, a postmaster.pid."""
        self.write("workspace", "/work/gone\n")
        self.write("ports", " ".join(str(p) for p in ports) + "\n")
        for name in ("casd", "bgd", "worker"):
            self.write(f"{name}.pid", "42\n")
        self.write("pg/postmaster.pid", "17\n/state/pg\n")

    def test_no_state_is_nothing_to_do(self) -> None:
        result = run("remote_state_clear_stale", self.state)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")

    def test_a_killed_engine_is_cleared(self) -> None:
        self.leave_a_killed_engine([free_port(), free_port(), free_port()])
        result = run("remote_state_clear_stale", self.state)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("no longer runs (started from /work/gone", result.stderr)
        self.assertEqual(sorted(os.listdir(self.state)), ["pg"])
        self.assertEqual(os.listdir(os.path.join(self.state, "pg")), [])

    def test_an_engine_that_answers_is_left_alone(self) -> None:
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            port = int(listener.getsockname()[1])
            self.leave_a_killed_engine([free_port(), port, free_port()])
            result = run("remote_state_clear_stale", self.state)
        self.assertEqual(result.returncode, 1)
        self.assertIn(
            f"already up (started from /work/gone; 127.0.0.1:{port} answers)",
            result.stderr,
        )
        self.assertIn("tools/remote/down first", result.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.state, "bgd.pid")))
        self.assertTrue(
            os.path.exists(os.path.join(self.state, "pg", "postmaster.pid"))
        )

    def test_state_from_before_ports_were_recorded_uses_the_defaults(self) -> None:
        result = run("remote_state_ports", self.state)
        self.assertEqual(result.stdout.split(), ["50051", "50052", "55432"])

    def test_ports_from_the_environment_or_the_defaults(self) -> None:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        command = ["bash", "-c", 'source "$1"; remote_ports_from_env', "sh", STATE_SH]
        out = subprocess.run(command, env=env, capture_output=True, text=True)
        self.assertEqual(out.stdout.split(), ["50051", "50052", "55432"])
        env["MLIMAGE_REMOTE_CAS_PORT"] = "6000"
        out = subprocess.run(command, env=env, capture_output=True, text=True)
        self.assertEqual(out.stdout.split(), ["50051", "6000", "55432"])

    def test_recorded_ports_that_are_not_ports_are_ignored(self) -> None:
        self.write("ports", "50051 $(touch pwned) 99999999\n")
        result = run("remote_state_ports", self.state)
        self.assertEqual(result.stdout.split(), ["50051"])
        self.assertFalse(os.path.exists("pwned"))


if __name__ == "__main__":
    unittest.main()
