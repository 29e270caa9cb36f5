"""Tests for merged_tree.py: layer provenance, symlink resolution, file reads."""

from __future__ import annotations

import os
import sys
import tempfile
import unittest

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import compress_layer, layout_reader, oci_layout  # noqa: E402
from oci.private.image_fixtures import (  # noqa: E402
    File,
    Link,
    member,
    raw_layer,
    write_layer,
    write_layout,
    zstd_binary,
)
from oci.private.merged_tree import MergedTree, Unresolvable  # noqa: E402

ZSTD = zstd_binary()


class MergedTreeTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def tree(
        self, layers: list[oci_layout.LayerInput], zstd: str | None = None
    ) -> MergedTree:
        layout = write_layout(
            self.tmp, layers, out=f"layout{len(os.listdir(self.tmp))}"
        )
        return MergedTree.from_image(layout_reader.read_image(layout), zstd)

    def test_layer_provenance(self) -> None:
        a = write_layer(self.tmp, "a", {"/x/f": "1", "/x/g": "1"})
        b = write_layer(self.tmp, "b", {"/x/f": "2"})
        c = raw_layer(self.tmp, "c", [(member("x/.wh.g"), b"")])
        d = write_layer(self.tmp, "d", {"/x/g": "3"})
        tree = self.tree([a, b, c, d])
        self.assertEqual(
            tree.nodes["x/f"].layers, [0, 1]
        )  # shipped twice, top copy visible
        self.assertEqual(
            tree.nodes["x/g"].layers, [3]
        )  # the whiteout reset its history
        self.assertEqual(tree.read_file("/x/f"), b"2")
        self.assertEqual(tree.read_file("/x/g"), b"3")

    def test_resolve(self) -> None:
        layer = write_layer(
            self.tmp,
            "l",
            {
                "/usr/bin/python3.11": File("elf", "0755"),
                "/usr/bin/python3": Link("python3.11"),
                "/usr/local/bin/python": Link("/usr/bin/python3"),
                "/bin": Link("usr/bin"),
                "/up": Link("../../../../usr/bin/python3"),
                "/loop1": Link("loop2"),
                "/loop2": Link("loop1"),
                "/dangling": Link("/nowhere"),
                "/etc/passwd": "root:x:0:0::/:/bin/sh\n",
            },
        )
        tree = self.tree([layer])
        self.assertEqual(tree.resolve("/usr/local/bin/python"), "usr/bin/python3.11")
        self.assertEqual(tree.resolve("/bin/python3"), "usr/bin/python3.11")
        self.assertEqual(
            tree.resolve("/up"), "usr/bin/python3.11"
        )  # '..' stops at the root
        self.assertEqual(
            tree.resolve("/usr/local/bin/python", follow_last=False),
            "usr/local/bin/python",
        )
        for path, reason in [
            ("/loop1", "too many levels"),
            ("/dangling", "/nowhere does not exist"),
            ("/etc/passwd/x", "is not a directory"),
            ("/missing", "does not exist"),
        ]:
            with self.subTest(path), self.assertRaisesRegex(Unresolvable, reason):
                tree.resolve(path)
        self.assertEqual(tree.regular_file("/bin/python3")[1].mode, 0o755)
        with self.assertRaisesRegex(Unresolvable, "is a dir"):
            tree.regular_file("/usr")

    def test_hard_links_read_their_target(self) -> None:
        layer = raw_layer(
            self.tmp,
            "h",
            [(member("data"), b"payload"), (member("hl", "hardlink", "data"), b"")],
        )
        tree = self.tree([layer])
        self.assertEqual(tree.read_file("/hl"), b"payload")

    def test_compressed_layers(self) -> None:
        plain = write_layer(self.tmp, "p", {"/etc/passwd": "root:x:0:0::/:/bin/sh\n"})
        formats = [("gzip", None), ("zstd", ZSTD)]
        for fmt, zstd in formats:
            with self.subTest(fmt):
                blob = f"{plain.blob}.{fmt}"
                d = compress_layer.compress(plain.blob, blob, fmt, zstd=zstd)
                layer = oci_layout.LayerInput(
                    blob,
                    str(d["digest"]),
                    int(d["size"]),
                    str(d["media_type"]),
                    plain.diff_id,
                    "p",
                )
                tree = self.tree([layer], zstd)
                self.assertEqual(
                    tree.read_file("/etc/passwd"), b"root:x:0:0::/:/bin/sh\n"
                )


if __name__ == "__main__":
    unittest.main()
