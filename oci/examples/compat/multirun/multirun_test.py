"""multirun runs its commands in order, with args and env; a failure stops it."""

from __future__ import annotations

import os
import subprocess
import tempfile
import unittest


def run(env_name: str, out_file: str) -> subprocess.CompletedProcess[str]:
    # As `bazel run` would: the program, with no RUNFILES_DIR of the caller's.
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNFILES")}
    env["OUT_FILE"] = out_file
    return subprocess.run(
        [os.path.abspath(os.environ[env_name])],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


class MultirunTest(unittest.TestCase):
    def test_commands_run_in_order_with_their_arguments(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out")
            done = run("ALL", out)
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(out) as f:
                self.assertEqual(
                    f.read(),
                    "first:one\nsecond:two words three\nnobody:\n",
                )
            self.assertIn("Running the second command", done.stderr)
            self.assertIn("Running //oci/examples/compat/multirun:first", done.stderr)

    def test_the_first_failure_stops_the_rest(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out")
            done = run("STOPS", out)
            self.assertEqual(done.returncode, 3, done.stderr)
            self.assertIn("failing on purpose", done.stderr)
            self.assertIn("fails failed (exit 3); the rest did not run", done.stderr)
            with open(out) as f:
                self.assertEqual(f.read(), "first:one\n")


if __name__ == "__main__":
    unittest.main()
