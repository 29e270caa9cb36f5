"""oci_push_all against a loopback registry: push, push again, push an app change.

crane serves an in-memory registry on 127.0.0.1 (a free port).
`push_all_v1` pushes services a (v1) and b: both are pushed, and the registry
then answers each by its digest. Run again, both are unchanged and 0 bytes
are sent. `push_all_v2` (a's app layer changed): a is pushed with only its new
app layer and config (plus its manifest), b is unchanged.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import unittest
from typing import Any

from oci.private import layout_reader
from oci.testing import loopback_registry


def _path(var: str) -> str:
    return os.path.abspath(os.environ[var])


def _image(var: str) -> layout_reader.Image:
    return layout_reader.read_image(_path(var))


class PushAllTest(unittest.TestCase):
    def setUp(self) -> None:
        registry = loopback_registry(_path("CRANE"))
        self.registry = registry.__enter__()
        self.addCleanup(registry.__exit__, None, None, None)
        self.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))

    def push(self, script: str) -> tuple[str, dict[str, dict[str, Any]]]:
        report = os.path.join(self.tmp, "report.json")
        done = subprocess.run(
            [_path(script), "--registry", self.registry, "--report", report],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        with open(report) as f:
            return done.stdout, {r["name"]: r for r in json.load(f)}

    def registry_digest(self, ref: str) -> str:
        return subprocess.run(
            [_path("CRANE"), "digest", "--insecure", f"{self.registry}/{ref}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()

    def test_push_again_then_an_app_change(self) -> None:
        a1, a2, b = _image("SERVICE_A_V1"), _image("SERVICE_A_V2"), _image("SERVICE_B")
        digest = {
            "a1": a1.manifest_descriptor["digest"],
            "a2": a2.manifest_descriptor["digest"],
            "b": b.manifest_descriptor["digest"],
        }

        table, first = self.push("PUSH_V1")
        self.assertEqual({r["status"] for r in first.values()}, {"pushed"}, table)
        self.assertEqual(first["mlimage/a"]["digest"], digest["a1"])
        self.assertEqual(first["mlimage/b"]["digest"], digest["b"])
        self.assertEqual(self.registry_digest("mlimage/a:latest"), digest["a1"])
        self.assertEqual(self.registry_digest("mlimage/b:latest"), digest["b"])
        self.assertIn("mlimage/a", table)
        self.assertIn("bytes sent", table)

        table, again = self.push("PUSH_V1")
        self.assertEqual({r["status"] for r in again.values()}, {"unchanged"}, table)
        self.assertEqual(sum(r["bytes_sent"] for r in again.values()), 0, table)

        table, change = self.push("PUSH_V2")
        self.assertEqual(change["mlimage/b"]["status"], "unchanged", table)
        self.assertEqual(change["mlimage/b"]["bytes_sent"], 0)
        a = change["mlimage/a"]
        self.assertEqual((a["status"], a["digest"]), ("pushed", digest["a2"]), table)
        # The new app layer and the new config: nothing of the shared layer.
        app = a2.layers[-1]
        expected = (
            app.size + a2.manifest_descriptor["size"] + a2.config_descriptor["size"]
        )
        self.assertEqual(a["blobs_sent"], 2, table)
        self.assertEqual(a["bytes_sent"], expected, table)
        self.assertNotEqual(app.digest, a1.layers[-1].digest)
        self.assertEqual(a2.layers[0].digest, a1.layers[0].digest)
        self.assertEqual(self.registry_digest("mlimage/a:latest"), digest["a2"])


if __name__ == "__main__":
    unittest.main()
