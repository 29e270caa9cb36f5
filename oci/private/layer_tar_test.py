"""Tests for layer_tar.py and layer_spec.py."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import layer_spec, layer_tar  # noqa: E402
from rules_common.cli import UserError  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write(path: str, data: str | bytes = "", mode: int = 0o644) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    os.chmod(path, mode)
    return path


class LayerTarTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.n = 0

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def p(self, *parts: str) -> str:
        return os.path.join(self.tmp, *parts)

    def build(self, entries: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        self.n += 1
        spec = self.p(f"spec{self.n}.json")
        with open(spec, "w") as f:
            json.dump({"entries": entries}, f)
        out = self.p(f"layer{self.n}.tar")
        descriptor = layer_tar.build(spec, out, self.p(f"layer{self.n}.json"))
        return out, descriptor

    def members(self, tar_path: str) -> list[tarfile.TarInfo]:
        with tarfile.open(tar_path) as tar:
            return tar.getmembers()

    def names(self, tar_path: str) -> list[str]:
        return [m.name for m in self.members(tar_path)]

    def sample_tree(self) -> str:
        root = self.p("tree")
        write(self.p("tree", "bin", "tool"), "#!/bin/sh\n", 0o700)
        write(self.p("tree", "etc", "conf"), "x=1\n", 0o600)
        write(self.p("tree", "lib", "a-b.txt"), "dash\n")
        write(self.p("tree", "lib", "a", "z.txt"), "z\n")
        os.symlink("../etc/conf", self.p("tree", "lib", "conf-link"))
        os.symlink("/etc/hostname", self.p("tree", "lib", "abs-link"))
        return root

    # ---- determinism and ordering

    def test_same_spec_gives_same_bytes_and_descriptor(self) -> None:
        root = self.sample_tree()
        entries = [
            {"kind": "tree", "src": root, "dest": "/opt"},
            {"kind": "dir", "dest": "/tmp", "mode": "1777"},
        ]
        a, da = self.build(entries)
        b, db = self.build(entries)
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertEqual(fa.read(), fb.read())
        self.assertEqual(da, db)

    def test_entry_order_in_spec_does_not_matter(self) -> None:
        root = self.sample_tree()
        f = write(self.p("passwd"), "root:x:0:0::/root:/bin/sh\n")
        entries = [
            {"kind": "tree", "src": root, "dest": "/opt"},
            {"kind": "file", "src": f, "dest": "/etc/passwd"},
            {"kind": "symlink", "dest": "/usr/bin/python3", "target": "python3.11"},
            {"kind": "dir", "dest": "/tmp", "mode": "1777"},
        ]
        _, d1 = self.build(entries)
        _, d2 = self.build(list(reversed(entries)))
        self.assertEqual(d1, d2)

    def test_members_sorted_parents_first_with_implicit_parents(self) -> None:
        root = self.sample_tree()
        out, _ = self.build([{"kind": "tree", "src": root, "dest": "/opt/app"}])
        names = [n.rstrip("/") for n in self.names(out)]
        self.assertEqual(names[:2], ["opt", "opt/app"])
        for i, name in enumerate(names):
            parent = os.path.dirname(name)
            if parent:
                self.assertIn(parent, names[:i], f"{name} before its parent")
        self.assertEqual(names, sorted(names, key=lambda n: n.split("/")))
        # a directory's contents stay together: lib/a/z.txt before lib/a-b.txt
        self.assertLess(
            names.index("opt/app/lib/a/z.txt"), names.index("opt/app/lib/a-b.txt")
        )
        opt = self.members(out)[0]
        self.assertTrue(opt.isdir())
        self.assertEqual(opt.mode, 0o755)

    def test_header_fields_are_normalised(self) -> None:
        root = self.sample_tree()
        os.chmod(self.p("tree", "lib"), 0o700)
        out, _ = self.build([{"kind": "tree", "src": root, "dest": "/"}])
        by_name = {m.name.rstrip("/"): m for m in self.members(out)}
        for m in by_name.values():
            self.assertEqual(
                (m.mtime, m.uid, m.gid, m.uname, m.gname), (0, 0, 0, "", "")
            )
            self.assertEqual(m.pax_headers, {})  # short paths: no pax records at all
        # The disk's bits are not read: no executables_from, so 0644.
        self.assertEqual(by_name["bin/tool"].mode, 0o644)
        self.assertEqual(by_name["etc/conf"].mode, 0o644)
        self.assertEqual(by_name["lib"].mode, 0o755)  # directories 0755
        self.assertEqual(by_name["lib/conf-link"].mode, 0o777)

    def test_modes_do_not_depend_on_the_disk(self) -> None:
        # A remote worker stages every input executable (bazelbuild/bazel#12818);
        # a layer built there must be the layer built here, byte for byte.
        root = self.sample_tree()
        f = write(self.p("passwd"), "root:x:0:0::/root:/bin/sh\n", 0o644)
        listing = write(self.p("exec.txt"), "bin/tool\n")
        spec = [
            {"kind": "tree", "src": root, "dest": "/", "executables_from": listing},
            {"kind": "file", "src": f, "dest": "/etc/passwd"},
        ]
        here, _ = self.build(spec)
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                if not os.path.islink(os.path.join(dirpath, name)):
                    os.chmod(os.path.join(dirpath, name), 0o555)
        os.chmod(f, 0o555)
        worker, _ = self.build(spec)
        with open(here, "rb") as a, open(worker, "rb") as b:
            self.assertEqual(a.read(), b.read())
        by_name = {m.name: m for m in self.members(here)}
        self.assertEqual(by_name["bin/tool"].mode, 0o755)  # listed
        self.assertEqual(by_name["etc/conf"].mode, 0o644)
        self.assertEqual(by_name["etc/passwd"].mode, 0o644)

    def test_executables_from_must_name_files_the_entry_adds(self) -> None:
        root = self.sample_tree()
        listing = write(self.p("exec.txt"), "bin/tool\nbin/gone\n")
        with self.assertRaisesRegex(UserError, "1 path.*'bin/gone'"):
            self.build(
                [
                    {
                        "kind": "tree",
                        "src": root,
                        "dest": "/",
                        "executables_from": listing,
                    }
                ]
            )

    def test_explicit_modes_and_owners(self) -> None:
        f = write(self.p("secret"), "s", 0o755)
        out, _ = self.build(
            [
                {"kind": "file", "src": f, "dest": "/etc/secret", "mode": "0600"},
                {"kind": "dir", "dest": "/tmp", "mode": "1777"},
                {
                    "kind": "dir",
                    "dest": "/home/app",
                    "uid": 65532,
                    "gid": 65532,
                    "uname": "app",
                    "gname": "app",
                },
            ]
        )
        by_name = {m.name.rstrip("/"): m for m in self.members(out)}
        self.assertEqual(by_name["etc/secret"].mode, 0o600)
        self.assertEqual(by_name["tmp"].mode, 0o1777)
        home = by_name["home/app"]
        self.assertEqual(
            (home.uid, home.gid, home.uname, home.gname), (65532, 65532, "app", "app")
        )
        self.assertEqual((by_name["home"].uid, by_name["home"].mode), (0, 0o755))

    def test_no_time_records_in_pax_headers(self) -> None:
        deep = "d" * 120
        write(self.p("long", deep, "f" * 150 + ".py"), "x")
        out, _ = self.build([{"kind": "tree", "src": self.p("long"), "dest": "/"}])
        with open(out, "rb") as f:
            raw = f.read()
        self.assertIn(b"path=", raw)
        for word in (b"atime=", b"ctime=", b"mtime="):
            self.assertNotIn(word, raw)

    def test_descriptor_is_digest_and_size_of_the_tar(self) -> None:
        out, d = self.build([{"kind": "dir", "dest": "/x"}])
        with open(out, "rb") as f:
            data = f.read()
        self.assertEqual(
            d,
            {
                "diff_id": "sha256:" + hashlib.sha256(data).hexdigest(),
                "size": len(data),
            },
        )
        with open(out[: -len(".tar")] + ".json") as f:
            self.assertEqual(json.load(f), d)

    # ---- paths and links

    def test_long_paths_and_link_targets(self) -> None:
        rel = "/".join(["torch", "include", "x" * 90, "y" * 90, "z" * 120 + ".h"])
        write(self.p("site", rel), "header")
        target = "../" * 3 + "t" * 200
        os.symlink(target, self.p("site", "torch", "long-link"))
        out, _ = self.build(
            [{"kind": "tree", "src": self.p("site"), "dest": "/usr/local/lib"}]
        )
        with tarfile.open(out) as tar:
            f = tar.extractfile("usr/local/lib/" + rel)
            assert f is not None
            self.assertEqual(f.read(), b"header")
            self.assertEqual(
                tar.getmember("usr/local/lib/torch/long-link").linkname, target
            )

    def test_symlinks_are_kept_not_followed(self) -> None:
        root = self.sample_tree()
        os.symlink(
            self.p("tree", "lib"), self.p("dirlink")
        )  # src itself a symlink to a dir
        out, _ = self.build([{"kind": "tree", "src": self.p("dirlink"), "dest": "/"}])
        by_name = {m.name.rstrip("/"): m for m in self.members(out)}
        self.assertTrue(by_name["conf-link"].issym())
        self.assertEqual(by_name["conf-link"].linkname, "../etc/conf")
        self.assertEqual(
            by_name["abs-link"].linkname, "/etc/hostname"
        )  # absolute: allowed
        self.assertIn("a/z.txt", by_name)  # the top link was resolved
        del root

    def test_bazel_staging_links_are_looked_through(self) -> None:
        # What a sandboxed action sees: every input a link into the execroot.
        real = self.p("ob", "execroot", "_main", "bazel-out", "bin", "root")
        write(os.path.join(real, "usr", "lib", "libz.so.1.2.13"), "elf", 0o755)
        os.symlink("libz.so.1.2.13", os.path.join(real, "usr", "lib", "libz.so.1"))
        os.makedirs(os.path.join(real, "usr", "share"))
        staged = self.p("sandbox", "root")
        os.makedirs(os.path.join(staged, "usr", "lib"))
        for name in ("libz.so.1.2.13", "libz.so.1"):
            os.symlink(
                os.path.join(real, "usr", "lib", name),
                os.path.join(staged, "usr", "lib", name),
            )
        os.symlink(
            os.path.join(real, "usr", "share"), os.path.join(staged, "usr", "share")
        )
        os.symlink(
            "/usr/share/zoneinfo/UTC", os.path.join(staged, "localtime")
        )  # a real image link
        out, _ = self.build([{"kind": "tree", "src": staged, "dest": "/"}])
        by_name = {m.name: m for m in self.members(out)}
        self.assertTrue(by_name["usr/lib/libz.so.1.2.13"].isreg())
        self.assertEqual(by_name["usr/lib/libz.so.1.2.13"].mode, 0o644)  # not listed
        self.assertEqual(by_name["usr/lib/libz.so.1"].linkname, "libz.so.1.2.13")
        self.assertTrue(by_name["usr/share"].isdir())
        self.assertEqual(by_name["localtime"].linkname, "/usr/share/zoneinfo/UTC")

    def test_hard_links_become_regular_files(self) -> None:
        write(self.p("hl", "a"), "same inode")
        os.link(self.p("hl", "a"), self.p("hl", "b"))
        out, _ = self.build([{"kind": "tree", "src": self.p("hl"), "dest": "/"}])
        with tarfile.open(out) as tar:
            for name in ("a", "b"):
                m = tar.getmember(name)
                self.assertTrue(m.isreg(), name)
                f = tar.extractfile(m)
                assert f is not None
                self.assertEqual(f.read(), b"same inode")

    def test_non_ascii_names(self) -> None:
        write(self.p("u", "caf\u00e9.txt"), "x")
        out, _ = self.build([{"kind": "tree", "src": self.p("u"), "dest": "/"}])
        self.assertEqual(self.names(out), ["caf\u00e9.txt"])

    # ---- conflicts

    def test_identical_duplicates_written_once(self) -> None:
        a = write(self.p("a", "f"), "same")
        b = write(self.p("b", "f"), "same")
        out, _ = self.build(
            [
                {"kind": "file", "src": a, "dest": "/x/f"},
                {"kind": "tree", "src": self.p("b"), "dest": "/x"},
                {"kind": "symlink", "dest": "/l", "target": "x"},
                {"kind": "symlink", "dest": "/l", "target": "x"},
            ]
        )
        self.assertEqual(self.names(out), ["l", "x", "x/f"])
        del b

    def test_different_content_is_an_error_naming_both(self) -> None:
        a = write(self.p("a", "f"), "one")
        write(self.p("b", "f"), "two")
        with self.assertRaises(UserError) as cm:
            self.build(
                [
                    {"kind": "file", "src": a, "dest": "/x/f"},
                    {"kind": "tree", "src": self.p("b"), "dest": "/x"},
                ]
            )
        message = str(cm.exception)
        self.assertIn("/x/f", message)
        self.assertIn("entries[0] (file '/x/f')", message)
        self.assertIn("entries[1] (tree '/x')", message)
        self.assertIn("different content", message)

    def test_same_size_different_content_detected(self) -> None:
        a = write(self.p("a"), "abc")
        b = write(self.p("b"), "abd")
        with self.assertRaisesRegex(UserError, "different content"):
            self.build(
                [
                    {"kind": "file", "src": a, "dest": "/f"},
                    {"kind": "file", "src": b, "dest": "/f"},
                ]
            )

    def test_kind_mode_and_target_conflicts(self) -> None:
        f = write(self.p("f"), "x")
        cases = [
            (
                [
                    {"kind": "file", "src": f, "dest": "/a"},
                    {"kind": "dir", "dest": "/a"},
                ],
                "a file",
            ),
            (
                [
                    {"kind": "file", "src": f, "dest": "/a", "mode": "0644"},
                    {"kind": "file", "src": f, "dest": "/a", "mode": "0755"},
                ],
                "modes/owners differ",
            ),
            (
                [
                    {"kind": "symlink", "dest": "/a", "target": "x"},
                    {"kind": "symlink", "dest": "/a", "target": "y"},
                ],
                "symlink targets differ",
            ),
            (
                [
                    {"kind": "dir", "dest": "/t", "mode": "1777"},
                    {"kind": "dir", "dest": "/t"},
                ],
                "directory modes",
            ),
            (
                [
                    {"kind": "symlink", "dest": "/lib", "target": "usr/lib"},
                    {"kind": "file", "src": f, "dest": "/lib/x"},
                ],
                "makes it a symlink",
            ),
        ]
        for entries, expected in cases:
            with self.subTest(expected), self.assertRaisesRegex(UserError, expected):
                self.build(entries)

    def test_explicit_dir_overrides_tree_dir(self) -> None:
        write(self.p("t", "tmp", "keep"), "")
        out, _ = self.build(
            [
                {"kind": "tree", "src": self.p("t"), "dest": "/"},
                {"kind": "dir", "dest": "/tmp", "mode": "1777"},
            ]
        )
        by_name = {m.name.rstrip("/"): m for m in self.members(out)}
        self.assertEqual(by_name["tmp"].mode, 0o1777)

    # ---- what is never written

    def test_pyc_and_pycache_are_left_out(self) -> None:
        write(self.p("py", "pkg", "__init__.py"), "")
        write(self.p("py", "pkg", "__pycache__", "__init__.cpython-311.pyc"), b"\0")
        write(self.p("py", "pkg", "stray.pyc"), b"\0")
        out, _ = self.build([{"kind": "tree", "src": self.p("py"), "dest": "/"}])
        self.assertEqual(self.names(out), ["pkg", "pkg/__init__.py"])
        f = write(self.p("x.pyc"), b"\0")
        with self.assertRaisesRegex(UserError, r"\.pyc"):
            self.build([{"kind": "file", "src": f, "dest": "/x.pyc"}])

    def test_whiteout_next_to_its_target_is_refused(self) -> None:
        f = write(self.p("f"), "x")
        empty = write(self.p("empty"), "")
        out, _ = self.build([{"kind": "file", "src": empty, "dest": "/usr/.wh.old"}])
        self.assertEqual(self.names(out), ["usr", "usr/.wh.old"])
        with self.assertRaisesRegex(UserError, "whites it out in the same layer"):
            self.build(
                [
                    {"kind": "file", "src": f, "dest": "/usr/old"},
                    {"kind": "file", "src": empty, "dest": "/usr/.wh.old"},
                ]
            )

    def test_special_files_are_refused(self) -> None:
        os.makedirs(self.p("sp"))
        os.mkfifo(self.p("sp", "fifo"))
        with self.assertRaisesRegex(
            UserError, "not a regular file, directory or symlink"
        ):
            self.build([{"kind": "tree", "src": self.p("sp"), "dest": "/"}])

    # ---- a root delivered as a tar

    def root_tar(self, root: str) -> str:
        """The root as deb_root writes it: GNU tar, sorted, links kept."""
        out = self.p(os.path.basename(root) + ".tar")
        subprocess.run(
            [
                "tar",
                "--sort=name",
                "--format=gnu",
                "--numeric-owner",
                "--owner=0",
                "--group=0",
                "--mtime=@0",
                "-C",
                root,
                "-cf",
                out,
                ".",
            ],
            check=True,
        )
        return out

    def one_member_tar(
        self, name: str, member: str, kind: bytes, linkname: str = ""
    ) -> str:
        """A tar holding one header-only member of the given type."""
        out = self.p(name)
        with tarfile.open(out, "w") as t:
            info = tarfile.TarInfo(member)
            info.type = kind
            info.linkname = linkname
            t.addfile(info)
        return out

    def test_tar_gives_the_same_layer_as_its_tree(self) -> None:
        root = self.sample_tree()
        write(self.p("tree", "lib", "__pycache__", "m.cpython-311.pyc"), "pyc")
        write(self.p("tree", "lib", "stray.pyc"), "pyc")
        os.link(self.p("tree", "etc", "conf"), self.p("tree", "etc", "conf-hard"))
        tar = self.root_tar(root)
        executables = write(self.p("exec.txt"), "bin/tool\n")  # as the tar says
        tree = {"kind": "tree", "src": root, "dest": "/opt"}
        from_tree, d_tree = self.build([tree | {"executables_from": executables}])
        from_tar, d_tar = self.build([{"kind": "tar", "src": tar, "dest": "/opt"}])
        self.assertEqual(d_tar, d_tree)
        with open(from_tree, "rb") as a, open(from_tar, "rb") as b:
            self.assertEqual(a.read(), b.read())
        with tarfile.open(from_tar) as t:
            self.assertEqual(t.getmember("opt/lib/abs-link").linkname, "/etc/hostname")
            hard = t.getmember("opt/etc/conf-hard")
            self.assertTrue(hard.isreg())
            f = t.extractfile(hard)
            assert f is not None
            self.assertEqual(f.read(), b"x=1\n")

    def test_tar_and_tree_meeting_at_one_path(self) -> None:
        root = self.sample_tree()
        tar = self.root_tar(root)
        executables = write(self.p("exec.txt"), "bin/tool\n")
        out, _ = self.build(
            [
                {"kind": "tar", "src": tar, "dest": "/"},
                {
                    "kind": "tree",
                    "src": root,
                    "dest": "/",
                    "executables_from": executables,
                },
            ]
        )
        self.assertIn("etc/conf", self.names(out))
        write(self.p("other", "etc", "conf"), "x=2\n", 0o600)
        with self.assertRaisesRegex(
            UserError, "conflict at /etc/conf.*different content"
        ):
            self.build(
                [
                    {"kind": "tar", "src": tar, "dest": "/"},
                    {"kind": "tree", "src": self.p("other"), "dest": "/"},
                ]
            )

    def test_tar_errors(self) -> None:
        with self.assertRaisesRegex(UserError, "is not a file"):
            self.build([{"kind": "tar", "src": self.p("nope.tar"), "dest": "/"}])
        bad = write(self.p("bad.tar"), b"not a tar at all" * 64)
        with self.assertRaisesRegex(UserError, "bad tar"):
            self.build([{"kind": "tar", "src": bad, "dest": "/"}])
        weird = self.one_member_tar("weird.tar", "dev/fifo", tarfile.FIFOTYPE)
        with self.assertRaisesRegex(UserError, "member 'dev/fifo'.*not a regular file"):
            self.build([{"kind": "tar", "src": weird, "dest": "/"}])
        dangling = self.one_member_tar("dangling.tar", "b", tarfile.LNKTYPE, "a")
        with self.assertRaisesRegex(UserError, "hard link to 'a'"):
            self.build([{"kind": "tar", "src": dangling, "dest": "/"}])
        escape = self.one_member_tar("escape.tar", "../etc/passwd", tarfile.REGTYPE)
        with self.assertRaisesRegex(UserError, "escapes the image root"):
            self.build([{"kind": "tar", "src": escape, "dest": "/"}])

    # ---- a tree restricted to listed paths

    def listed_fixture(self) -> tuple[str, str]:
        root = self.p("prefix")
        for rel, mode in [
            ("lib/site/a/__init__.py", 0o644),
            ("lib/site/a/lib/liba.so", 0o644),
            ("lib/site/b/__init__.py", 0o644),
            ("bin/tool", 0o755),
        ]:
            write(os.path.join(root, rel), rel, mode)
        paths = write(
            self.p("paths.txt"),
            "lib/site/a/__init__.py\nlib/site/a/lib/liba.so\nbin/tool\n",
        )
        return root, paths

    def test_paths_from_takes_only_the_listed_paths(self) -> None:
        root, paths = self.listed_fixture()
        executables = write(self.p("exec.txt"), "bin/tool\n")
        tar, _ = self.build(
            [
                {
                    "kind": "tree",
                    "src": root,
                    "dest": "/usr/local",
                    "paths_from": paths,
                    "executables_from": executables,
                }
            ]
        )
        names = [m.name for m in self.members(tar)]
        self.assertIn("usr/local/lib/site/a/lib/liba.so", names)
        self.assertIn("usr/local/bin/tool", names)
        self.assertNotIn("usr/local/lib/site/b/__init__.py", names)
        self.assertNotIn("usr/local/lib/site/b", names)
        self.assertEqual(names[0], "usr")
        with tarfile.open(tar) as archive:
            self.assertEqual(archive.getmember("usr/local/bin/tool").mode, 0o755)

    def test_paths_from_errors(self) -> None:
        root, paths = self.listed_fixture()
        entry = {"kind": "tree", "src": root, "dest": "/usr/local", "paths_from": paths}
        os.unlink(os.path.join(root, "bin", "tool"))
        with self.assertRaisesRegex(UserError, "lists 'bin/tool' but"):
            self.build([entry])
        write(paths, "../../etc/passwd\n")
        with self.assertRaisesRegex(UserError, "not a relative path under src"):
            self.build([entry])
        entry["paths_from"] = self.p("missing.txt")
        with self.assertRaisesRegex(UserError, "cannot read paths_from"):
            self.build([entry])

    # ---- spec validation and the CLI

    def test_spec_validation_messages(self) -> None:
        f = write(self.p("f"), "x")
        cases = [
            (
                {"kind": "file", "src": f, "dest": "etc/x"},
                "'dest' must be an absolute path",
            ),
            ({"kind": "file", "src": f, "dest": "/a/../b"}, "must not contain '..'"),
            ({"kind": "file", "src": f, "dest": "/x", "mode": 644}, "octal string"),
            (
                {"kind": "file", "src": f, "dest": "/x", "owner": 1},
                "unknown keys \\['owner'\\]",
            ),
            (
                {"kind": "file", "src": self.p("missing"), "dest": "/x"},
                "does not exist",
            ),
            ({"kind": "tree", "src": f, "dest": "/x"}, "is not a directory"),
            ({"kind": "hardlink", "dest": "/x"}, "kind must be one of"),
            ({"kind": "dir", "dest": "/x", "uid": -1}, "non-negative integer"),
        ]
        for entry, expected in cases:
            assert isinstance(entry, dict)
            with (
                self.subTest(expected),
                self.assertRaisesRegex(UserError, "entries\\[0\\].*" + expected),
            ):
                self.build([entry])

    def test_cli_error_is_one_line_without_traceback(self) -> None:
        spec = self.p("bad.json")
        with open(spec, "w") as f:
            json.dump(
                {"entries": [{"kind": "file", "src": self.p("nope"), "dest": "/x"}]}, f
            )
        for argv in (
            [sys.executable, "oci/private/layer_tar.py"],
            [sys.executable, "-m", "oci.private.layer_tar"],
        ):
            r = subprocess.run(
                [
                    *argv,
                    "--spec",
                    spec,
                    "--out",
                    self.p("o.tar"),
                    "--descriptor-out",
                    self.p("o.json"),
                ],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
            )
            self.assertEqual(r.returncode, 1)
            self.assertNotIn("Traceback", r.stderr)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
            self.assertIn("layer_tar: error:", r.stderr)
            self.assertIn("does not exist", r.stderr)
            self.assertFalse(os.path.exists(self.p("o.tar")))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.endswith(".tmp")], [])

    def test_cli_success(self) -> None:
        spec = self.p("ok.json")
        with open(spec, "w") as f:
            json.dump({"entries": [{"kind": "dir", "dest": "/app"}]}, f)
        r = subprocess.run(
            [
                sys.executable,
                "oci/private/layer_tar.py",
                "--spec",
                spec,
                "--out",
                self.p("o.tar"),
                "--descriptor-out",
                self.p("o.json"),
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        with open(self.p("o.json")) as f:
            self.assertEqual(set(json.load(f)), {"diff_id", "size"})

    def test_sort_key(self) -> None:
        paths = ["a-b", "a/x", "a", "a.txt", "b"]
        self.assertEqual(
            sorted(paths, key=layer_spec.sort_key), ["a", "a/x", "a-b", "a.txt", "b"]
        )


if __name__ == "__main__":
    unittest.main()
