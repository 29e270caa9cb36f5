"""oci_push pushes an oci_image to a registry; the registry serves it back.

crane serves an in-memory registry on 127.0.0.1 (a free port); the
`hello_push` script pushes `hello` under each remote tag; `crane digest`
then reads each tag's manifest digest from the registry, which must equal
the layout's own manifest digest.
"""

from __future__ import annotations

import os
import subprocess
import unittest

from oci.private import layout_reader
from oci.testing import loopback_registry


def _path(var: str) -> str:
    return os.path.abspath(os.environ[var])


class PushTest(unittest.TestCase):
    def setUp(self) -> None:
        registry = loopback_registry(_path("CRANE"))
        self.address = registry.__enter__()
        self.addCleanup(registry.__exit__, None, None, None)

    def test_push_then_pull_digest(self) -> None:
        repository = f"{self.address}/mlimage/hello"
        push = subprocess.run(
            [_path("PUSH"), "--repository", repository, "--tag", "v2"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.assertEqual(push.returncode, 0, push.stdout + push.stderr)
        expected = layout_reader.read_image(_path("LAYOUT")).manifest_descriptor[
            "digest"
        ]
        self.assertIn(f"{repository}@{expected}", push.stdout)
        for tag in ("latest", "v1", "v2"):
            digest = subprocess.run(
                [_path("CRANE"), "digest", "--insecure", f"{repository}:{tag}"],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout.strip()
            self.assertEqual(digest, expected, f"tag {tag}")

    def test_other_arguments_go_to_crane_push(self) -> None:
        # As rules_oci's: an argument the script does not know is crane's.
        done = subprocess.run(
            [_path("PUSH"), "--repository", f"{self.address}/x", "--no-such-flag"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertNotEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("no-such-flag", done.stderr)


if __name__ == "__main__":
    unittest.main()
