"""Tests for worker.py: the JSON worker protocol, and an exit when Bazel is gone."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
from collections.abc import Sequence

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from rules_common import cli, worker  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def echo(argv: Sequence[str] | None) -> int:
    args = list(argv or [])
    if args[:1] == ["fail"]:
        raise cli.UserError("asked to fail")
    if args[:1] == ["crash"]:
        raise RuntimeError("a bug")
    if args[:1] == ["exit"]:
        raise SystemExit(2)
    print("args:", " ".join(args))
    print("note", file=sys.stderr)
    return 0


class HandleTest(unittest.TestCase):
    def test_output_and_exit_code(self) -> None:
        response = worker.handle("t", echo, {"arguments": ["a", "b"], "requestId": 7})
        self.assertEqual(
            response, {"exitCode": 0, "output": "args: a b\nnote\n", "requestId": 7}
        )

    def test_a_user_error_fails_the_request_with_its_message(self) -> None:
        response = worker.handle("t", echo, {"arguments": ["fail"]})
        self.assertEqual(response["exitCode"], 1)
        self.assertEqual(response["output"], "t: error: asked to fail\n")

    def test_a_bug_fails_the_request_with_a_traceback(self) -> None:
        response = worker.handle("t", echo, {"arguments": ["crash"]})
        self.assertEqual(response["exitCode"], 1)
        self.assertIn("RuntimeError: a bug", response["output"])

    def test_system_exit_is_the_exit_code(self) -> None:
        self.assertEqual(
            worker.handle("t", echo, {"arguments": ["exit"]})["exitCode"], 2
        )

    def test_malformed_requests_are_refused(self) -> None:
        for request in ([], {"arguments": "a"}, {"arguments": [1]}):
            with self.subTest(request=request):
                response = worker.handle("t", echo, request)
                self.assertEqual(response["exitCode"], 1)
                self.assertIn("WorkRequest", response["output"])

    def test_parameter_files_are_expanded(self) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".params", delete=False) as f:
            f.write("--spec\nx y.json\n")
        try:
            response = worker.handle("t", echo, {"arguments": [f"@{f.name}", "@@z"]})
        finally:
            os.unlink(f.name)
        self.assertEqual(response["output"], "args: --spec x y.json @z\nnote\n")

    def test_a_missing_parameter_file_names_it(self) -> None:
        response = worker.handle("t", echo, {"arguments": ["@/nonexistent.params"]})
        self.assertEqual(response["exitCode"], 1)
        self.assertIn("/nonexistent.params", response["output"])


class ServeTest(unittest.TestCase):
    def test_answers_each_request_in_order_then_returns_at_eof(self) -> None:
        lines = [
            json.dumps({"arguments": ["one"], "requestId": 0}),
            "not json",
            json.dumps({"arguments": ["fail"], "requestId": 0}),
        ]
        stdin = io.BytesIO(("\n".join(lines) + "\n").encode())
        out = io.StringIO()
        closed = threading.Event()
        worker.serve("t", echo, stdin, out, closed.set)
        responses = [json.loads(x) for x in out.getvalue().splitlines()]
        self.assertEqual([r["exitCode"] for r in responses], [0, 1, 1])
        self.assertEqual(responses[0]["output"], "args: one\nnote\n")
        self.assertIn("bad WorkRequest", responses[1]["output"])
        self.assertTrue(closed.wait(5))


class ProcessTest(unittest.TestCase):
    """A real worker process, as Bazel starts it."""

    def start(self, body: str) -> subprocess.Popen[bytes]:
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        script = os.path.join(self._tmp.name, "tool.py")
        with open(script, "w") as f:
            f.write(
                textwrap.dedent(
                    f"""\
                    import os, sys, time
                    sys.path.insert(0, {REPO_ROOT!r})
                    from rules_common import worker

                    def main(argv):
                        if argv == ["stray"]:
                            os.write(1, b"straight to fd 1\\n")
                        if argv == ["slow"]:
                            open({script!r} + ".started", "w").close()
                            time.sleep(60)
                        print("ok", argv)
                        return 0
                    {body}
                    """
                )
            )
        self.started = script + ".started"
        proc = subprocess.Popen(
            [sys.executable, script, worker.FLAG],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.addCleanup(proc.kill)
        return proc

    def request(self, proc: subprocess.Popen[bytes], args: list[str]) -> None:
        assert proc.stdin is not None
        proc.stdin.write((json.dumps({"arguments": args}) + "\n").encode())
        proc.stdin.flush()

    def test_strays_on_fd_1_stay_out_of_the_protocol(self) -> None:
        proc = self.start('worker.run("tool", main)')
        assert proc.stdout is not None
        outputs = []
        for args in (["stray"], ["two"]):
            self.request(proc, args)
            outputs.append(json.loads(proc.stdout.readline())["output"])
        self.assertEqual(outputs, ["ok ['stray']\n", "ok ['two']\n"])
        _, err = proc.communicate(timeout=30)  # closes stdin: the worker exits
        self.assertIn(b"straight to fd 1", err)
        self.assertEqual(proc.returncode, 0)

    def test_exits_at_once_when_stdin_closes_mid_request(self) -> None:
        proc = self.start('worker.run("tool", main)')
        self.request(proc, ["slow"])
        deadline = time.monotonic() + 30
        while not os.path.exists(self.started):
            self.assertLess(time.monotonic(), deadline, "the request never started")
            time.sleep(0.05)
        assert proc.stdin is not None
        proc.stdin.close()  # what a killed Bazel server leaves
        start = time.monotonic()
        proc.wait(timeout=10)  # not the 60 s the request would take
        self.assertLess(time.monotonic() - start, 10)

    def test_without_the_flag_it_runs_once_on_its_arguments(self) -> None:
        proc = self.start('worker.run("tool", main)')
        proc.kill()
        proc.wait()
        params = os.path.join(self._tmp.name, "a.params")
        with open(params, "w") as f:
            f.write("x\ny\n")
        done = subprocess.run(
            [sys.executable, os.path.join(self._tmp.name, "tool.py"), f"@{params}"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, "ok ['x', 'y']\n")


if __name__ == "__main__":
    unittest.main()
