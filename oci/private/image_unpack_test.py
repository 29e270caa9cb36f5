"""Tests for image_unpack.py, checked against merged_tree.py's view."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import (  # noqa: E402
    image_unpack,
    layout_reader,
    merged_tree,
    oci_layout,
)
from oci.private.image_fixtures import member, raw_layer, write_layout  # noqa: E402
from rules_common.cli import UserError  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def snapshot(root: str) -> dict[str, str]:
    """{relative path: kind} of everything under root."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            mode = os.lstat(path).st_mode
            out[rel] = (
                "symlink"
                if stat.S_ISLNK(mode)
                else "dir"
                if stat.S_ISDIR(mode)
                else "file"
            )
    return out


def whiteout_layers(tmp: str) -> list[oci_layout.LayerInput]:
    lower = raw_layer(
        tmp,
        "lower",
        [
            (member("etc/passwd"), b"root:x:0:0::/:/bin/sh\n"),
            (member("usr/lib/a.txt"), b"a"),
            (member("usr/lib/b.txt"), b"b"),
            (member("opt/keep/x.txt"), b"x"),
            (member("opq/lower1.txt"), b"1"),
            (member("opq/sub/lower2.txt"), b"2"),
            (member("lib", "symlink", "usr/lib"), b""),
            (member("dir2file/inner.txt"), b"i"),
            (member("file2dir"), b"f"),
            (member("data"), b"shared"),
            (member("hl", "hardlink", "data"), b""),
        ],
    )
    upper = raw_layer(
        tmp,
        "upper",
        [
            (member("usr/lib/.wh.a.txt"), b""),
            (member(".wh.opt"), b""),
            (member("opq/.wh..wh..opq"), b""),
            (member("opq/new.txt"), b"n"),
            (member("opq/sub/upper.txt"), b"u"),
            (member("samelayer.txt"), b"s"),
            (member(".wh.samelayer.txt"), b""),
            (member("dir2file"), b"now a file"),
            (member("file2dir/child.txt"), b"c"),
            (member("lib/extra.txt"), b"e"),
            (member(".wh.never-existed"), b""),
        ],
    )
    return [lower, upper]


EXPECTED = {
    "etc": "dir",
    "etc/passwd": "file",
    "usr": "dir",
    "usr/lib": "dir",
    "usr/lib/b.txt": "file",
    "opq": "dir",
    "opq/new.txt": "file",
    "opq/sub": "dir",
    "opq/sub/upper.txt": "file",
    "samelayer.txt": "file",
    "dir2file": "file",
    "file2dir": "dir",
    "file2dir/child.txt": "file",
    "lib": "dir",
    "lib/extra.txt": "file",
    "data": "file",
    "hl": "file",
}


class ImageUnpackTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.root = os.path.join(self.tmp, "root")

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def test_whiteouts_and_overlay_semantics(self) -> None:
        layout = write_layout(self.tmp, whiteout_layers(self.tmp))
        image_unpack.unpack(layout, self.root)
        self.assertEqual(snapshot(self.root), EXPECTED)
        with open(os.path.join(self.root, "dir2file")) as f:
            self.assertEqual(f.read(), "now a file")
        self.assertEqual(
            os.stat(os.path.join(self.root, "hl")).st_ino,
            os.stat(os.path.join(self.root, "data")).st_ino,
        )
        # The merged view used by the structure gate agrees with the disk.
        tree = merged_tree.MergedTree.from_image(layout_reader.read_image(layout))
        kinds = {
            p: ("file" if n.kind == "hardlink" else n.kind)
            for p, n in tree.nodes.items()
        }
        self.assertEqual(kinds, EXPECTED)

    def test_symlinks_modes_and_deletable_root(self) -> None:
        layer = raw_layer(
            self.tmp,
            "l",
            [
                (member("bin", "dir", mode=0o555), b""),
                (member("bin/tool", mode=0o4755), b"#!/bin/sh\n"),
                (member("bin/ro", mode=0o444), b"r"),
                (member("bin/py", "symlink", "/usr/bin/python3.11"), b""),
                (member("tmp", "dir", mode=0o1777), b""),
                (member("/abs/name.txt"), b"leading slash is stripped"),
                (member("./dot/name.txt"), b"leading ./ is stripped"),
                (member("dev/fifo", "fifo"), b""),
            ],
        )
        layout = write_layout(self.tmp, [layer])
        err = io.StringIO()
        with redirect_stderr(err):
            image_unpack.unpack(layout, self.root)
        self.assertIn("skipped 1 device/fifo entries", err.getvalue())

        def mode(rel: str) -> int:
            return stat.S_IMODE(os.lstat(os.path.join(self.root, rel)).st_mode)

        self.assertEqual(mode("bin"), 0o755)  # owner rwx added
        self.assertEqual(mode("bin/tool"), 0o755)  # setuid dropped
        self.assertEqual(mode("bin/ro"), 0o644)  # owner-writable
        self.assertEqual(mode("tmp"), 0o1777)
        self.assertEqual(
            os.readlink(os.path.join(self.root, "bin/py")), "/usr/bin/python3.11"
        )
        self.assertTrue(os.path.isfile(os.path.join(self.root, "abs/name.txt")))
        self.assertTrue(os.path.isfile(os.path.join(self.root, "dot/name.txt")))
        self.assertFalse(os.path.lexists(os.path.join(self.root, "dev/fifo")))

    def test_dotdot_is_refused(self) -> None:
        for i, (info, data) in enumerate(
            [
                (member("../evil"), b"x"),
                (member("a/../../evil"), b"x"),
                (member("h", "hardlink", "../../etc/passwd"), b""),
            ]
        ):
            with self.subTest(info.name):
                layout = write_layout(
                    self.tmp,
                    [raw_layer(self.tmp, f"bad{i}", [(info, data)])],
                    out=f"l{i}",
                )
                root = os.path.join(self.tmp, f"root{i}")
                with self.assertRaisesRegex(UserError, "escapes the image root"):
                    image_unpack.unpack(layout, root)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "evil")))

    def test_symlinks_are_never_followed_while_extracting(self) -> None:
        outside = os.path.join(self.tmp, "outside")
        os.mkdir(outside)
        lower = raw_layer(self.tmp, "lower", [(member("esc", "symlink", outside), b"")])
        upper = raw_layer(self.tmp, "upper", [(member("esc/pwned"), b"x")])
        image_unpack.unpack(write_layout(self.tmp, [lower, upper]), self.root)
        self.assertEqual(os.listdir(outside), [])
        self.assertTrue(
            os.path.isdir(os.path.join(self.root, "esc"))
        )  # replaced, as overlayfs shows it
        same = raw_layer(
            self.tmp,
            "same",
            [(member("esc", "symlink", outside), b""), (member("esc/pwned"), b"x")],
        )
        with self.assertRaisesRegex(
            UserError, "used as a directory after this layer made it a"
        ):
            image_unpack.unpack(
                write_layout(self.tmp, [same], out="same"), os.path.join(self.tmp, "r2")
            )
        self.assertEqual(os.listdir(outside), [])

    def test_hard_link_to_a_symlinked_path_is_refused(self) -> None:
        layer = raw_layer(
            self.tmp,
            "l",
            [
                (member("d", "symlink", "/etc"), b""),
                (member("h", "hardlink", "d/passwd"), b""),
            ],
        )
        with self.assertRaisesRegex(UserError, "is not a directory"):
            image_unpack.unpack(write_layout(self.tmp, [layer]), self.root)

    def test_out_must_be_empty(self) -> None:
        layout = write_layout(self.tmp, whiteout_layers(self.tmp))
        os.makedirs(os.path.join(self.root, "something"))
        with self.assertRaisesRegex(UserError, "not empty"):
            image_unpack.unpack(layout, self.root)

    def test_cli(self) -> None:
        layout = write_layout(self.tmp, whiteout_layers(self.tmp))
        r = subprocess.run(
            [
                sys.executable,
                "oci/private/image_unpack.py",
                "--layout",
                layout,
                "--out",
                self.root,
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertEqual(snapshot(self.root), EXPECTED)
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "oci.private.image_unpack",
                "--layout",
                layout,
                "--out",
                self.root,
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual(r.returncode, 1)
        self.assertIn("image_unpack: error:", r.stderr)
        self.assertNotIn("Traceback", r.stderr)


if __name__ == "__main__":
    unittest.main()
