"""Tests for link_layout.py: a pulled layout's files as a layout of links."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import unittest

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import layout_reader, link_layout  # noqa: E402
from oci.private.image_fixtures import File, write_layer, write_layout  # noqa: E402
from rules_common.cli import UserError  # noqa: E402


class LinkLayoutTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        self.tmp = self._tmp.name
        layer = write_layer(self.tmp, "app", {"/a": File("a")})
        made = write_layout(self.tmp, [layer], {"cmd": ["a"]}, out="made")
        # As a pull leaves it: plain files under repo/layout/.
        self.pulled = os.path.join(self.tmp, "repo", "layout")
        shutil.copytree(made, self.pulled, symlinks=False)
        self.files = [
            os.path.join(d, f) for d, _, fs in os.walk(self.pulled) for f in fs
        ]

    def test_blobs_are_links_and_the_image_reads_back(self) -> None:
        out = os.path.join(self.tmp, "out")
        self.assertEqual(link_layout.main(["--out", out, *self.files]), 0)
        image = layout_reader.read_image(out)
        self.assertEqual(image.config["config"]["Cmd"], ["a"])
        for layer in image.layers:
            self.assertTrue(os.path.islink(layer.path))
            self.assertFalse(os.path.isabs(os.readlink(layer.path)))

    def test_missing_or_stray_files_fail(self) -> None:
        out = os.path.join(self.tmp, "out")
        without = [f for f in self.files if not f.endswith("index.json")]
        with self.assertRaisesRegex(UserError, "no layout/index.json"):
            link_layout.build(out, without)
        stray = os.path.join(self.pulled, "notes.txt")
        with open(stray, "w") as f:
            f.write("x")
        with self.assertRaisesRegex(UserError, "not a file of an OCI layout"):
            link_layout.build(out, [*self.files, stray])
        with self.assertRaisesRegex(UserError, "not under a layout/ directory"):
            link_layout.build(out, [*self.files, os.path.join(self.tmp, "x")])
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
