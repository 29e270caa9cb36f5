"""shared_layers: passes on layouts linking one layer file, fails otherwise."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import unittest

from gates.private import shared_layers
from oci.testing import File, write_layer, write_layout


class SharedLayersTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.torch = write_layer(self.tmp, "torch", {"/t": File("torch")})
        a_app = write_layer(self.tmp, "app_a", {"/app/a": File("a")})
        b_app = write_layer(self.tmp, "app_b", {"/app/b": File("b")})
        self.a = write_layout(self.tmp, [self.torch, a_app], {}, out="a")
        self.b = write_layout(self.tmp, [self.torch, b_app], {}, out="b")

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def test_one_file_in_both_passes(self) -> None:
        self.assertEqual(shared_layers.check(self.a, self.b, ["torch"]), [])

    def test_a_layer_one_image_lacks_fails(self) -> None:
        (problem,) = shared_layers.check(self.a, self.b, ["app_a"])
        self.assertIn(f"layer 'app_a' is not in {self.b}", problem)

    def test_another_digest_fails(self) -> None:
        other = write_layer(self.tmp, "torch2", {"/t": File("other torch")})
        other = dataclasses.replace(other, name="torch")
        c = write_layout(self.tmp, [other], {}, out="c")
        (problem,) = shared_layers.check(self.a, c, ["torch"])
        self.assertIn("in one,", problem)

    def test_the_same_bytes_built_twice_fail(self) -> None:
        copy = os.path.join(self.tmp, "torch-copy.tar")
        shutil.copyfile(self.torch.blob, copy)
        twin = dataclasses.replace(self.torch, blob=copy)
        c = write_layout(self.tmp, [twin], {}, out="c")
        (problem,) = shared_layers.check(self.a, c, ["torch"])
        self.assertIn("built twice, not shared", problem)


if __name__ == "__main__":
    unittest.main()
