"""Tests for image_index.py: a multi-platform index over image layouts."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import image_index, layout_reader, media_types  # noqa: E402
from oci.private.image_fixtures import File, write_layer, write_layout  # noqa: E402
from rules_common.cli import UserError  # noqa: E402


def load(path: str) -> Any:
    with open(path, "rb") as f:
        return json.loads(f.read())


class ImageIndexTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        self.tmp = self._tmp.name
        app = write_layer(self.tmp, "app", {"/app/a": File("a")})
        self.amd64 = write_layout(self.tmp, [app], {"cmd": ["a"]}, out="amd64")
        self.arm64 = write_layout(
            self.tmp,
            [app],
            {"architecture": "arm64", "variant": "v8", "cmd": ["a"]},
            out="arm64",
        )

    def index_blob(self, layout: str) -> dict[str, Any]:
        (descriptor,) = load(os.path.join(layout, "index.json"))["manifests"]
        self.assertEqual(descriptor["mediaType"], media_types.INDEX)
        return load(layout_reader.blob_path(layout, descriptor["digest"]))

    def test_lists_each_manifest_with_its_platform(self) -> None:
        out = os.path.join(self.tmp, "index")
        annotations = os.path.join(self.tmp, "annotations.txt")
        with open(annotations, "w") as f:
            f.write("org.opencontainers.image.revision=deadbeef\n")
        argv = ["--out", out, "--image", self.amd64, "--image", self.arm64]
        argv += ["--annotations-file", annotations]
        with contextlib.redirect_stdout(io.StringIO()) as stdout:
            self.assertEqual(image_index.main(argv), 0)
        index = self.index_blob(out)
        self.assertEqual(
            index["annotations"], {"org.opencontainers.image.revision": "deadbeef"}
        )
        self.assertEqual(
            [m["platform"] for m in index["manifests"]],
            [
                {"architecture": "amd64", "os": "linux"},
                {"architecture": "arm64", "os": "linux", "variant": "v8"},
            ],
        )
        (outer,) = load(os.path.join(out, "index.json"))["manifests"]
        self.assertEqual(stdout.getvalue(), outer["digest"] + "\n")
        for source, manifest in zip(
            (self.amd64, self.arm64), index["manifests"], strict=True
        ):
            image = layout_reader.read_image(source)
            self.assertEqual(manifest["digest"], image.manifest_descriptor["digest"])
            for digest in (
                manifest["digest"],
                image.config_descriptor["digest"],
                *[layer.digest for layer in image.layers],
            ):
                blob = layout_reader.blob_path(out, digest)
                # A link into the image's layout, never a copy.
                self.assertTrue(os.path.islink(blob), digest)
                self.assertFalse(os.path.isabs(os.readlink(blob)))
                self.assertEqual(
                    os.stat(blob).st_ino,
                    os.stat(layout_reader.blob_path(source, digest)).st_ino,
                )

    def test_the_same_images_give_the_same_digest(self) -> None:
        a = image_index.build(os.path.join(self.tmp, "a"), [self.amd64, self.arm64])
        b = image_index.build(os.path.join(self.tmp, "b"), [self.amd64, self.arm64])
        self.assertEqual(a, b)
        c = image_index.build(os.path.join(self.tmp, "c"), [self.arm64, self.amd64])
        self.assertNotEqual(a, c)  # the order given is the order listed

    def test_two_images_for_one_platform_fail(self) -> None:
        with self.assertRaisesRegex(UserError, "are both for linux/amd64"):
            image_index.build(os.path.join(self.tmp, "x"), [self.amd64, self.amd64])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x")))

    def test_no_images_or_no_layout_fail(self) -> None:
        with self.assertRaisesRegex(UserError, "at least one image"):
            image_index.build(os.path.join(self.tmp, "x"), [])
        with self.assertRaisesRegex(UserError, "not an OCI image layout"):
            image_index.build(os.path.join(self.tmp, "x"), [self.tmp])


if __name__ == "__main__":
    unittest.main()
