"""Tests for compress_layer.py."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import compress_layer, media_types  # noqa: E402
from oci.private.image_fixtures import zstd_binary  # noqa: E402
from rules_common.cli import UserError  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZSTD = zstd_binary()


def sha(path: str) -> str:
    with open(path, "rb") as f:
        return "sha256:" + hashlib.sha256(f.read()).hexdigest()


class CompressLayerTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.src = os.path.join(self.tmp, "layer.tar")
        with open(self.src, "wb") as f:
            for i in range(3000):  # ~3 MB, compressible, crosses the 1 MiB chunk size
                f.write(b"line %d of a fake layer tar\n" % i * 40)
                f.write(os.urandom(16))

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def out(self, name: str) -> str:
        return os.path.join(self.tmp, name)

    def test_gzip_descriptor_and_round_trip(self) -> None:
        d = compress_layer.compress(self.src, self.out("a.gz"), "gzip")
        self.assertEqual(d["media_type"], media_types.LAYER_GZIP)
        self.assertEqual(d["digest"], sha(self.out("a.gz")))
        self.assertEqual(d["size"], os.path.getsize(self.out("a.gz")))
        self.assertEqual(d["diff_id"], sha(self.src))
        with gzip.open(self.out("a.gz")) as g, open(self.src, "rb") as f:
            self.assertEqual(g.read(), f.read())

    def test_gzip_is_deterministic_with_a_clean_header(self) -> None:
        a = compress_layer.compress(self.src, self.out("a.gz"), "gzip")
        os.utime(self.src, (12345, 12345))  # the input's mtime must not leak in
        b = compress_layer.compress(self.src, self.out("b.gz"), "gzip")
        self.assertEqual(a, b)
        with open(self.out("a.gz"), "rb") as f:
            header = f.read(10)
        self.assertEqual(header[3], 0, "no FNAME/FEXTRA/FCOMMENT flags")
        self.assertEqual(header[4:8], b"\0\0\0\0", "MTIME is 0")

    def test_gzip_levels(self) -> None:
        fast = compress_layer.compress(self.src, self.out("1.gz"), "gzip", level=1)
        best = compress_layer.compress(self.src, self.out("9.gz"), "gzip", level=9)
        self.assertEqual(fast["diff_id"], best["diff_id"])
        self.assertNotEqual(fast["digest"], best["digest"])
        with self.assertRaisesRegex(UserError, "gzip level must be 0-9"):
            compress_layer.compress(self.src, self.out("x.gz"), "gzip", level=12)

    def test_zstd_matches_direct_compression_and_is_deterministic(self) -> None:
        a = compress_layer.compress(self.src, self.out("a.zst"), "zstd", zstd=ZSTD)
        b = compress_layer.compress(self.src, self.out("b.zst"), "zstd", zstd=ZSTD)
        self.assertEqual(a, b)
        self.assertEqual(a["media_type"], media_types.LAYER_ZSTD)
        self.assertEqual(a["diff_id"], sha(self.src))
        self.assertEqual(a["digest"], sha(self.out("a.zst")))
        direct = subprocess.run(
            [ZSTD, "-q", "-T0", "-3", "-c", self.src], capture_output=True, check=True
        )
        with open(self.out("a.zst"), "rb") as f:
            self.assertEqual(
                f.read(), direct.stdout, "piped output equals `zstd -T0 -3 -c FILE`"
            )
        back = subprocess.run(
            [ZSTD, "-q", "-d", "-c", self.out("a.zst")], capture_output=True, check=True
        )
        with open(self.src, "rb") as f:
            self.assertEqual(back.stdout, f.read())

    def test_zstd_needs_a_binary(self) -> None:
        with self.assertRaisesRegex(UserError, "needs --zstd PATH"):
            compress_layer.compress(self.src, self.out("a.zst"), "zstd")
        with self.assertRaisesRegex(UserError, "cannot run zstd"):
            compress_layer.compress(
                self.src, self.out("a.zst"), "zstd", zstd=self.out("no-zstd")
            )
        self.assertFalse(os.path.exists(self.out("a.zst")))

    def test_zstd_failure_is_reported(self) -> None:
        fake = self.out("fake-zstd")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\ncat >/dev/null\necho 'zstd: boom' >&2\nexit 3\n")
        os.chmod(fake, 0o755)
        with self.assertRaisesRegex(UserError, "zstd exited with 3: zstd: boom"):
            compress_layer.compress(self.src, self.out("a.zst"), "zstd", zstd=fake)
        self.assertFalse(os.path.exists(self.out("a.zst")))

    def test_cli(self) -> None:
        r = subprocess.run(
            [
                sys.executable,
                "oci/private/compress_layer.py",
                "--in",
                self.src,
                "--out",
                self.out("c.gz"),
                "--format",
                "gzip",
                "--level",
                "1",
                "--descriptor-out",
                self.out("c.json"),
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        with open(self.out("c.json")) as f:
            d = json.load(f)
        self.assertEqual(set(d), {"digest", "size", "media_type", "diff_id"})
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "oci.private.compress_layer",
                "--in",
                self.out("missing"),
                "--out",
                self.out("d.gz"),
                "--format",
                "gzip",
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual(r.returncode, 1)
        self.assertNotIn("Traceback", r.stderr)
        self.assertIn("compress_layer: error:", r.stderr)


if __name__ == "__main__":
    unittest.main()
