"""Tests for layout_verify.py: a good layout passes in each compression, and
each kind of damage is named."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import unittest

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import compress_layer, layout_verify, oci_layout  # noqa: E402
from oci.private.image_fixtures import (  # noqa: E402
    File,
    member,
    raw_layer,
    write_layer,
    write_layout,
    zstd_binary,
)


class LayoutVerifyTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.base = write_layer(self.tmp, "base", {"/etc/hostname": File("x\n")})
        self.app = write_layer(
            self.tmp, "app", {"/app/main.py": File("print(1)\n" * 500)}
        )

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def compressed(
        self, layer: oci_layout.LayerInput, fmt: str
    ) -> oci_layout.LayerInput:
        suffix = {"gzip": "gz", "zstd": "zst"}[fmt]
        blob = os.path.join(self.tmp, f"{layer.name}.tar.{suffix}")
        d = compress_layer.compress(
            layer.blob, blob, fmt, zstd=zstd_binary() if fmt == "zstd" else None
        )
        descriptor = os.path.join(self.tmp, f"{layer.name}.{suffix}.json")
        with open(descriptor, "w") as f:
            json.dump(d, f)
        return oci_layout.parse_layer(f"{blob}:{descriptor}:{layer.name}")

    def flip(self, path: str, offset_from_end: int) -> None:
        with open(path, "r+b") as f:
            f.seek(-offset_from_end, os.SEEK_END)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0xFF]))

    def test_a_good_layout_passes_in_every_compression(self) -> None:
        for fmt in ("none", "gzip", "zstd"):
            with self.subTest(fmt=fmt):
                app = self.app if fmt == "none" else self.compressed(self.app, fmt)
                layout = write_layout(self.tmp, [self.base, app], {}, out=f"l-{fmt}")
                self.assertEqual(layout_verify.verify(layout, zstd_binary()), [])

    def test_a_flipped_byte_in_a_layer_fails(self) -> None:
        layout = write_layout(self.tmp, [self.base, self.app], {})
        self.flip(self.app.blob, 1024 + 600)  # inside main.py's data
        [problem] = layout_verify.verify(layout)
        self.assertIn("layer 1 'app'", problem)
        self.assertIn("the blob's sha256 is", problem)

    def test_a_truncated_layer_fails(self) -> None:
        layout = write_layout(self.tmp, [self.base, self.app], {})
        with open(self.app.blob, "r+b") as f:
            f.truncate(self.app.size - 512)
        [problem] = layout_verify.verify(layout)  # layout_reader's size check
        self.assertIn(
            f"layer 1 blob {self.app.digest} has {self.app.size - 512}", problem
        )

    def test_a_compressed_layer_with_another_tar_inside_fails(self) -> None:
        gz = self.compressed(self.app, "gzip")
        wrong = oci_layout.LayerInput(
            gz.blob, gz.digest, gz.size, gz.media_type, self.base.diff_id, "app"
        )
        layout = write_layout(self.tmp, [wrong], {})
        [problem] = layout_verify.verify(layout)
        self.assertIn("the uncompressed tar's sha256", problem)

    def test_a_path_twice_in_one_layer_fails(self) -> None:
        twice = raw_layer(
            self.tmp, "twice", [(member("etc/x"), b"1"), (member("etc/x"), b"2")]
        )
        layout = write_layout(self.tmp, [twice], {})
        [problem] = layout_verify.verify(layout)
        self.assertIn("'etc/x' appears twice", problem)

    def test_a_path_leaving_the_root_fails(self) -> None:
        out = raw_layer(self.tmp, "out", [(member("../etc/passwd"), b"x")])
        layout = write_layout(self.tmp, [out], {})
        [problem] = layout_verify.verify(layout)
        self.assertIn("escapes the image root", problem)

    def test_a_missing_blob_is_named(self) -> None:
        layout = write_layout(self.tmp, [self.base, self.app], {})
        os.unlink(self.app.blob)
        [problem] = layout_verify.verify(layout)
        self.assertIn(self.app.digest, problem)


if __name__ == "__main__":
    unittest.main()
