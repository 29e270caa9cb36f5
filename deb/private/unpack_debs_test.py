"""Tests of unpack_debs.sh, the action behind unpack.bzl (synthetic data members)."""

from __future__ import annotations

import io
import lzma
import os
import subprocess
import tarfile
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "unpack_debs.sh")


def data_tar(path: str, members: list[tuple[str, str, str | bytes]]) -> str:
    """Writes a .deb-style data.tar.xz.

    Each member is (name, kind "f"/"d"/"l", content or link target).
    """
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, value in members:
            info = tarfile.TarInfo("./" + name)
            info.mtime = 1_700_000_000
            info.uid = info.gid = 1000
            if kind == "d":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            elif kind == "l":
                info.type, info.linkname = tarfile.SYMTYPE, str(value)
                tar.addfile(info)
            else:
                data = value if isinstance(value, bytes) else value.encode()
                info.size, info.mode = (
                    len(data),
                    0o755 if name.endswith(".so") else 0o644,
                )
                tar.addfile(info, io.BytesIO(data))
    with open(path, "wb") as f:
        f.write(lzma.compress(buf.getvalue()))
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", SCRIPT, *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )


class UnpackDebsTest(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.first = data_tar(
            os.path.join(self.tmp, "libfoo.data.tar.xz"),
            [
                ("lib", "d", ""),
                ("lib/libfoo.so", "f", "foo 1"),
                ("lib/shared.txt", "f", "from libfoo"),
                ("usr", "d", ""),
                ("usr/lib", "d", ""),
                ("usr/lib/libfoo.so.1", "l", "/lib/libfoo.so"),
                ("usr/lib/gone", "l", "/lib/not-packaged"),
                ("usr/share", "d", ""),
                ("usr/share/doc-link", "l", "/lib"),
            ],
        )
        self.second = data_tar(
            os.path.join(self.tmp, "bar.data.tar.xz"),
            [("lib", "d", ""), ("lib/shared.txt", "f", "from bar")],
        )

    def test_tar_keeps_links_as_packaged_and_is_reproducible(self) -> None:
        out = os.path.join(self.tmp, "root.tar")
        result = run("tar", out, self.first, self.second)
        self.assertEqual(result.returncode, 0, result.stderr)
        with tarfile.open(out) as tar:
            members = tar.getmembers()
            names = [m.name for m in members]
            self.assertEqual(names, sorted(names))
            self.assertTrue(
                all(m.uid == 0 and m.gid == 0 and m.mtime == 0 for m in members)
            )
            links = {m.name: m.linkname for m in members if m.issym()}
            # An image root: absolute links stay absolute, dangling or not.
            self.assertEqual(links["./usr/lib/libfoo.so.1"], "/lib/libfoo.so")
            self.assertEqual(links["./usr/lib/gone"], "/lib/not-packaged")
            shared = tar.extractfile("./lib/shared.txt")
            assert shared is not None
            self.assertEqual(
                shared.read(), b"from bar", "the later package's file wins"
            )
        again = os.path.join(self.tmp, "again.tar")
        self.assertEqual(run("tar", again, self.first, self.second).returncode, 0)
        with open(out, "rb") as a, open(again, "rb") as b:
            self.assertEqual(a.read(), b.read())
        self.assertFalse(os.path.exists(out + ".d"), "the scratch root is removed")

    def test_tar_writes_each_control_stanza_into_status_d(self) -> None:
        controls = []
        for package in ("libfoo", "bar"):
            os.makedirs(os.path.join(self.tmp, "debs", package))
            controls.append(os.path.join(self.tmp, "debs", package, "control"))
            with open(controls[-1], "w") as f:
                f.write(f"Package: {package}\nVersion: 1\n")
        out = os.path.join(self.tmp, "root.tar")
        result = run("tar", out, self.first, self.second, *controls)
        self.assertEqual(result.returncode, 0, result.stderr)
        with tarfile.open(out) as tar:
            for package in ("libfoo", "bar"):
                member = tar.getmember(f"./var/lib/dpkg/status.d/{package}")
                self.assertEqual(member.mode, 0o644)
                stanza = tar.extractfile(member)
                assert stanza is not None
                self.assertEqual(
                    stanza.read().decode(), f"Package: {package}\nVersion: 1\n"
                )

    def test_tree_has_hard_links_for_symbolic_ones_and_drops_dangling_ones(
        self,
    ) -> None:
        out = os.path.join(self.tmp, "root")
        result = run("tree", out, self.first, self.second)
        self.assertEqual(result.returncode, 0, result.stderr)
        links = [
            os.path.join(d, n)
            for d, dirs, files in os.walk(out)
            for n in dirs + files
            if os.path.islink(os.path.join(d, n))
        ]
        self.assertEqual(links, [], "no symbolic link is left in the tree")
        so = os.stat(os.path.join(out, "lib/libfoo.so"))
        # /lib/libfoo.so, resolved inside the root: the same file, not a copy.
        self.assertEqual(
            os.stat(os.path.join(out, "usr/lib/libfoo.so.1")).st_ino, so.st_ino
        )
        # A link to a directory: a directory of hard links to its files.
        self.assertEqual(
            os.stat(os.path.join(out, "usr/share/doc-link/libfoo.so")).st_ino, so.st_ino
        )
        self.assertFalse(os.path.lexists(os.path.join(out, "usr/lib/gone")))
        with open(os.path.join(out, "lib/shared.txt")) as f:
            self.assertEqual(f.read(), "from bar")

    def test_tree_refuses_a_link_to_a_directory_that_holds_it(self) -> None:
        loop = data_tar(
            os.path.join(self.tmp, "loop.data.tar.xz"),
            [("lib", "d", ""), ("lib/self", "l", "/lib")],
        )
        result = run("tree", os.path.join(self.tmp, "root"), loop)
        self.assertEqual(result.returncode, 1)
        self.assertIn("lib/self links to a directory that holds it", result.stderr)

    def test_a_member_that_is_not_a_data_tar_is_refused(self) -> None:
        other = os.path.join(self.tmp, "control.tar")
        with open(other, "wb") as f:
            f.write(b"")
        result = run("tree", os.path.join(self.tmp, "root"), other)
        self.assertEqual(result.returncode, 2)
        self.assertIn("control.tar: not a .deb's data.tar", result.stderr)

    def test_a_corrupt_member_fails_naming_it(self) -> None:
        bad = os.path.join(self.tmp, "broken.data.tar.xz")
        with open(self.first, "rb") as f:
            data = f.read()
        with open(bad, "wb") as f:
            f.write(data[: len(data) // 2])
        out = os.path.join(self.tmp, "root.tar")
        result = run("tar", out, bad)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"unpacking {bad} failed", result.stderr)
        self.assertFalse(os.path.exists(out + ".d"))

    def test_usage(self) -> None:
        result = run("zip", os.path.join(self.tmp, "x"), self.first)
        self.assertEqual(result.returncode, 2)
        self.assertIn("usage: unpack_debs.sh tar|tree", result.stderr)


if __name__ == "__main__":
    unittest.main()
