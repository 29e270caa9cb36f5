"""Tests for layout_links.py: links pass, a copied or foreign blob fails."""

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

from oci.private import layout_links  # noqa: E402
from oci.private.image_fixtures import File, write_layer, write_layout  # noqa: E402


class LayoutLinksTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.base = write_layer(self.tmp, "base", {"/etc/hostname": File("x\n")})
        self.app = write_layer(self.tmp, "app", {"/app/main.py": File("print(1)\n")})
        self.layout = write_layout(self.tmp, [self.base, self.app], {})
        self.blobs = [self.base.blob, self.app.blob]

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def blob(self, digest: str) -> str:
        return os.path.join(self.layout, "blobs", "sha256", digest.split(":")[1])

    def test_linked_layers_pass(self) -> None:
        self.assertEqual(layout_links.check(self.layout, self.blobs), [])

    def test_a_copied_layer_fails(self) -> None:
        blob = self.blob(self.app.digest)
        os.unlink(blob)
        shutil.copyfile(self.app.blob, blob)
        problem, unused = layout_links.check(self.layout, self.blobs)
        self.assertIn("layer 1 'app'", problem)
        self.assertIn("a file of its own", problem)
        self.assertIn(f"no layer is the file {self.app.blob}", unused)

    def test_a_link_to_another_copy_fails(self) -> None:
        elsewhere = os.path.join(self.tmp, "elsewhere.tar")
        shutil.copyfile(self.base.blob, elsewhere)
        blob = self.blob(self.base.digest)
        os.unlink(blob)
        os.symlink(elsewhere, blob)
        problem, unused = layout_links.check(self.layout, self.blobs)
        self.assertIn("layer 0 'base'", problem)
        self.assertIn(f"a link to {elsewhere}", problem)
        self.assertIn(f"no layer is the file {self.base.blob}", unused)

    def test_a_layer_file_the_layout_does_not_use_fails(self) -> None:
        other = write_layer(self.tmp, "other", {"/other": File("o\n")})
        [problem] = layout_links.check(self.layout, [*self.blobs, other.blob])
        self.assertIn(f"no layer is the file {other.blob}", problem)


if __name__ == "__main__":
    unittest.main()
