"""Tests for compose_site_packages.py: links, not copies; conflicts refused."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import unittest

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from pypi.private import compose_site_packages as compose  # noqa: E402
from rules_common.cli import UserError  # noqa: E402

SITE = "lib/python3.11/dist-packages"


class ComposeTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def wheel(self, key: str, files: dict[str, bytes], version: str = "1") -> str:
        """A wheel_install output (tree and manifest); returns TREE:MANIFEST."""
        tree = os.path.join(self.tmp, f"{key}-{version}.tree")
        shas = {}
        for path, data in files.items():
            full = os.path.join(tree, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
            shas[path] = hashlib.sha256(data).hexdigest()
        manifest = os.path.join(self.tmp, f"{key}-{version}.json")
        with open(manifest, "w") as f:
            json.dump(
                {
                    key: {
                        "version": version,
                        "dist_info": f"{key}-{version}.dist-info",
                        "files": shas,
                        "executables": [p for p in files if p.startswith("bin/")],
                    }
                },
                f,
            )
        return f"{tree}:{manifest}"

    def run_compose(self, *installs: str) -> dict:
        out = os.path.join(self.tmp, "prefix")
        return compose.compose([compose.read_install(a) for a in installs], out)

    def test_every_file_is_a_relative_link_to_its_wheel_tree(self) -> None:
        torch = self.wheel("torch", {f"{SITE}/torch/lib/libtorch.so": b"t"})
        cublas = self.wheel(
            "nvidia-cublas-cu12", {f"{SITE}/nvidia/cublas/lib/libcublas.so.12": b"c"}
        )
        dists = self.run_compose(torch, cublas)
        self.assertEqual(sorted(dists), ["nvidia-cublas-cu12", "torch"])
        out = os.path.join(self.tmp, "prefix")
        lib = os.path.join(out, SITE, "torch", "lib", "libtorch.so")
        self.assertTrue(os.path.islink(lib))
        self.assertFalse(os.path.isabs(os.readlink(lib)))
        original = os.path.join(self.tmp, "torch-1.tree", SITE, "torch/lib/libtorch.so")
        self.assertEqual(os.stat(lib).st_ino, os.stat(original).st_ino)
        # torch's RPATH, $ORIGIN/../../nvidia/cublas/lib, resolves in the prefix.
        rpath = os.path.join(os.path.dirname(lib), "../../nvidia/cublas/lib")
        self.assertTrue(os.path.isfile(os.path.join(rpath, "libcublas.so.12")))

    def test_the_same_bytes_from_two_wheels_are_linked_once(self) -> None:
        a = self.wheel("a", {f"{SITE}/ns/__init__.py": b"", f"{SITE}/ns/a.py": b"a"})
        b = self.wheel("b", {f"{SITE}/ns/__init__.py": b"", f"{SITE}/ns/b.py": b"b"})
        dists = self.run_compose(a, b)
        self.assertIn(f"{SITE}/ns/__init__.py", dists["b"]["files"])

    def test_two_wheels_writing_one_path_are_refused(self) -> None:
        a = self.wheel("a", {f"{SITE}/x.py": b"1"})
        b = self.wheel("b", {f"{SITE}/x.py": b"2"})
        with self.assertRaisesRegex(UserError, "a 1 and b 1 both install .*x.py"):
            self.run_compose(a, b)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "prefix")))

    def test_a_file_where_another_wheel_has_a_directory_is_refused(self) -> None:
        a = self.wheel("a", {f"{SITE}/x": b"1"})
        b = self.wheel("b", {f"{SITE}/x/y.py": b"2"})
        with self.assertRaisesRegex(UserError, "installs the file .*x, but b 1"):
            self.run_compose(a, b)

    def test_one_distribution_twice_is_refused(self) -> None:
        a1 = self.wheel("a", {f"{SITE}/a.py": b"1"}, version="1")
        a2 = self.wheel("a", {f"{SITE}/a.py": b"2"}, version="2")
        with self.assertRaisesRegex(UserError, "distribution a appears twice"):
            self.run_compose(a1, a2)

    def test_a_manifest_path_leaving_the_prefix_is_refused(self) -> None:
        a = self.wheel("a", {f"{SITE}/a.py": b"1"})
        tree, _, manifest = a.rpartition(":")
        with open(manifest) as f:
            data = json.load(f)
        data["a"]["files"]["../../etc/passwd"] = "0" * 64
        with open(manifest, "w") as f:
            json.dump(data, f)
        with self.assertRaisesRegex(UserError, "leaves the prefix"):
            self.run_compose(a)

    def test_a_listed_file_missing_from_the_tree_is_refused(self) -> None:
        a = self.wheel("a", {f"{SITE}/a.py": b"1"})
        os.unlink(os.path.join(self.tmp, "a-1.tree", SITE, "a.py"))
        with self.assertRaisesRegex(UserError, "lists .*a.py, not in"):
            self.run_compose(a)


if __name__ == "__main__":
    unittest.main()
