"""Tests for layout_registry.py: crane pulls and validates a served layout,
and refuses a tampered or missing layer; nothing else is served."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import compress_layer, layout_registry, oci_layout  # noqa: E402
from oci.private.image_fixtures import File, write_layer, write_layout  # noqa: E402


def crane_validate(
    crane: str, ref: str, *flags: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [crane, "validate", *flags, "--remote", ref],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def status(url: str, method: str = "GET") -> int:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, method=method), timeout=10
        ) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


class LayoutRegistryTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR"))
        self.tmp = self._tmp.name
        self.layer = write_layer(
            self.tmp,
            "app",
            {"/etc/passwd": File("root:x:0:0::/:/bin/sh\n"), "/x": File("x" * 4096)},
        )
        self.layout = write_layout(self.tmp, [self.layer], {"cmd": ["/x"]})
        self.crane = os.path.abspath(os.environ.get("CRANE", "crane"))

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def gzip_layout(self) -> str:
        """crane's full validation gunzips every layer: it needs gzip blobs."""
        blob = os.path.join(self.tmp, "app.tar.gz")
        d = compress_layer.compress(self.layer.blob, blob, "gzip")
        descriptor = os.path.join(self.tmp, "app.gz.json")
        with open(descriptor, "w") as f:
            json.dump(d, f)
        self.gz_blob = blob
        layer = oci_layout.parse_layer(f"{blob}:{descriptor}:app")
        return write_layout(self.tmp, [layer], {"cmd": ["/x"]}, out="gz")

    def test_crane_validates_every_byte_of_a_served_gzip_layout(self) -> None:
        with layout_registry.serving(self.gzip_layout()) as ref:
            result = crane_validate(self.crane, ref)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_crane_refuses_a_tampered_layer(self) -> None:
        layout = self.gzip_layout()
        with open(self.gz_blob, "r+b") as f:  # the file the layout links to
            f.seek(-20, os.SEEK_END)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0xFF]))
        with layout_registry.serving(layout) as ref:
            result = crane_validate(self.crane, ref)
        self.assertNotEqual(result.returncode, 0, "crane accepted a tampered layer")

    def test_crane_fast_checks_an_uncompressed_layout_as_served(self) -> None:
        with layout_registry.serving(self.layout) as ref:
            result = crane_validate(self.crane, ref, "--fast")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_crane_fast_refuses_a_layout_missing_a_blob(self) -> None:
        with layout_registry.serving(self.layout) as ref:
            os.unlink(
                self.layer.blob
            )  # after serving starts: the manifest still names it
            result = crane_validate(self.crane, ref, "--fast")
        self.assertNotEqual(result.returncode, 0, "crane accepted a missing layer")

    def test_serves_only_the_image(self) -> None:
        with layout_registry.serving(self.layout) as ref:
            host = "http://" + ref.split("/")[0]
            self.assertEqual(status(host + "/v2/"), 200)
            self.assertEqual(status(host + "/v2/image/manifests/latest"), 200)
            self.assertEqual(status(host + "/v2/image/manifests/other"), 404)
            self.assertEqual(status(host + "/v2/other/manifests/latest"), 404)
            self.assertEqual(status(host + f"/v2/image/blobs/{self.layer.digest}"), 200)
            self.assertEqual(status(host + "/v2/image/blobs/sha256:" + "0" * 64), 404)
            self.assertEqual(status(host + "/v2/image/blobs/..%2F..%2Findex.json"), 404)
            self.assertEqual(status(host + "/v2/image/blobs/../../index.json"), 404)
            self.assertEqual(status(host + "/v2/image/manifests/latest", "DELETE"), 501)
            with urllib.request.urlopen(host + "/v2/image/manifests/latest") as r:
                manifest = json.loads(r.read())
            self.assertEqual(manifest["layers"][0]["digest"], self.layer.digest)


if __name__ == "__main__":
    unittest.main()
