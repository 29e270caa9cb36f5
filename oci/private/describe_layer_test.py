"""describe_layer: any tar, described as the image rules need it."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import unittest

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import compress_layer, describe_layer, media_types  # noqa: E402
from oci.private.image_fixtures import zstd_binary  # noqa: E402
from rules_common.cli import UserError  # noqa: E402

ZSTD = zstd_binary()


def sha(path: str) -> str:
    with open(path, "rb") as f:
        return "sha256:" + hashlib.sha256(f.read()).hexdigest()


class DescribeLayerTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        self.tmp = self._tmp.name
        self.tar = os.path.join(self.tmp, "layer.tar")
        with open(self.tar, "wb") as f:
            f.write(b"not really a tar, but bytes are bytes\n" * 50000)

    def test_uncompressed(self) -> None:
        self.assertEqual(
            describe_layer.describe(self.tar),
            {"diff_id": sha(self.tar), "size": os.path.getsize(self.tar)},
        )

    def test_compressed_agrees_with_compress_layer(self) -> None:
        for fmt, suffix in (
            (media_types.GZIP, ".tar.gz"),
            (media_types.ZSTD, ".tar.zst"),
        ):
            with self.subTest(fmt=fmt):
                out = os.path.join(self.tmp, "layer" + suffix)
                made = compress_layer.compress(self.tar, out, fmt, zstd=ZSTD)
                described = describe_layer.describe(out, ZSTD)
                self.assertEqual(described["diff_id"], sha(self.tar))
                self.assertEqual(described["digest"], made["digest"])
                self.assertEqual(described["media_type"], made["media_type"])
                self.assertEqual(described["size"], os.path.getsize(out))

    def test_unknown_extension(self) -> None:
        other = os.path.join(self.tmp, "layer.zip")
        with open(other, "wb"):
            pass
        with self.assertRaisesRegex(
            UserError, "must be a .tar, .tar.gz, .tgz or .tar.zst"
        ):
            describe_layer.describe(other)

    def test_cli(self) -> None:
        out = os.path.join(self.tmp, "d.json")
        self.assertEqual(
            describe_layer.main(["--in", self.tar, "--descriptor-out", out]), 0
        )
        with open(out, encoding="utf-8") as f:
            self.assertEqual(json.load(f)["diff_id"], sha(self.tar))


if __name__ == "__main__":
    unittest.main()
