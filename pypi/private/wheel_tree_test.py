"""Tests for wheel_tree.py: a wheel's layer unpacked, and what it refuses."""

from __future__ import annotations

import io
import os
import shutil
import stat
import sys
import tarfile
import tempfile
import unittest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import wheel_tree
from rules_common import cli


def write_layer(path: str, members: list[tuple[str, bytes | None, int]]) -> None:
    """members: (name, content or None for a directory, mode)."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, content, mode in members:
            info = tarfile.TarInfo(name)
            info.mode = mode
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))


class WheelTreeTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.layer = os.path.join(self.tmp, "layer.tar")
        self.out = os.path.join(self.tmp, "tree")

    def test_unpacks_below_the_prefix_with_the_layers_modes(self) -> None:
        write_layer(
            self.layer,
            [
                ("usr", None, 0o755),
                ("usr/local", None, 0o755),
                ("usr/local/bin", None, 0o755),
                ("usr/local/bin/a-cli", b"#!/usr/bin/python3\n", 0o755),
                ("usr/local/lib", None, 0o755),
                ("usr/local/lib/a.py", b"x = 1\n", 0o644),
            ],
        )
        self.assertEqual(wheel_tree.unpack(self.layer, self.out), (2, 25))
        cli_path = os.path.join(self.out, "bin", "a-cli")
        self.assertEqual(stat.S_IMODE(os.stat(cli_path).st_mode), 0o755)
        with open(os.path.join(self.out, "lib", "a.py"), "rb") as f:
            self.assertEqual(f.read(), b"x = 1\n")
        self.assertEqual(os.stat(cli_path).st_mtime, wheel_tree.FIXED_MTIME)
        self.assertEqual(os.stat(self.out).st_mtime, wheel_tree.FIXED_MTIME)

    def test_a_member_outside_the_prefix_is_refused(self) -> None:
        for name in ("etc/passwd", "usr/local/../../etc/passwd", "/usr/local/a"):
            with self.subTest(name=name):
                write_layer(self.layer, [(name, b"x", 0o644)])
                with self.assertRaisesRegex(cli.UserError, "is not a path below"):
                    wheel_tree.unpack(self.layer, self.out)

    def test_a_link_is_refused(self) -> None:
        with tarfile.open(self.layer, "w") as tar:
            info = tarfile.TarInfo("usr/local/lib/a.py")
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tar.addfile(info)
        with self.assertRaisesRegex(cli.UserError, "neither a file nor a directory"):
            wheel_tree.unpack(self.layer, self.out)

    def test_a_full_directory_is_refused(self) -> None:
        write_layer(self.layer, [("usr/local/a.py", b"", 0o644)])
        os.makedirs(os.path.join(self.out, "old"))
        with self.assertRaisesRegex(cli.UserError, "not an empty directory"):
            wheel_tree.unpack(self.layer, self.out)


if __name__ == "__main__":
    unittest.main()
