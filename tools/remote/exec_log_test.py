"""Unit tests for exec_log (synthetic execution logs)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

if __name__ == "__main__" and not __package__:
    _ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from tools.remote import exec_log


def spawn(
    mnemonic: str, runner: str, hit: bool = False, label: str = "//a:t"
) -> dict[str, object]:
    return {
        "mnemonic": mnemonic,
        "runner": runner,
        "remoteCacheHit": hit,
        "targetLabel": label,
    }


class ExecLogTest(unittest.TestCase):
    def write(self, entries: list[dict[str, object]]) -> str:
        tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        self.addCleanup(os.unlink, tmp.name)
        with tmp:
            tmp.write("\n".join(json.dumps(e, indent=2) for e in entries))
        return tmp.name

    def run_main(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = exec_log.main(list(argv))
        return status, out.getvalue(), err.getvalue()

    def test_every_test_remote_passes(self) -> None:
        log = self.write(
            [
                spawn("TestRunner", "remote"),
                spawn("TestRunner", "remote", label="//b:t"),
                spawn("Genrule", "processwrapper-sandbox"),
            ]
        )
        status, out, _ = self.run_main(log, "--require-remote", "TestRunner")
        self.assertEqual(status, 0)
        self.assertIn("all 2 TestRunner spawns ran remotely", out)
        self.assertIn("Genrule", out)

    def test_a_local_or_cached_test_fails_naming_it(self) -> None:
        for bad in (
            spawn("TestRunner", "processwrapper-sandbox", label="//x:local"),
            spawn("TestRunner", "remote", hit=True, label="//x:local"),
        ):
            with self.subTest(bad):
                status, _, err = self.run_main(
                    self.write([spawn("TestRunner", "remote"), bad]),
                    "--require-remote",
                    "TestRunner",
                )
                self.assertEqual(status, 1)
                self.assertIn("//x:local", err)

    def test_every_required_mnemonic_is_checked(self) -> None:
        log = self.write(
            [
                spawn("TestRunner", "remote"),
                spawn("ImageLayer", "linux-sandbox", label="//s:layer_app"),
            ]
        )
        status, out, err = self.run_main(
            log, "--require-remote", "TestRunner", "--require-remote", "ImageLayer"
        )
        self.assertEqual(status, 1)
        self.assertIn("all 1 TestRunner spawns ran remotely", out)
        self.assertIn("//s:layer_app: ImageLayer ran as 'linux-sandbox'", err)

    def test_no_such_spawn_fails(self) -> None:
        status, _, err = self.run_main(
            self.write([spawn("Genrule", "remote")]), "--require-remote", "TestRunner"
        )
        self.assertEqual(status, 1)
        self.assertIn("no TestRunner spawn", err)

    def test_garbage_is_an_error_not_a_pass(self) -> None:
        tmp = tempfile.NamedTemporaryFile("w", delete=False)
        self.addCleanup(os.unlink, tmp.name)
        with tmp:
            tmp.write('{"mnemonic": "TestRunner", "runner": "remote"} [1, 2]')
        status, _, err = self.run_main(tmp.name, "--require-remote", "TestRunner")
        self.assertEqual(status, 1)
        self.assertIn("expected a JSON object", err)


if __name__ == "__main__":
    unittest.main()
