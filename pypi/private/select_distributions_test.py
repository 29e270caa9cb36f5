"""select_distributions: which files of a site-packages a layer takes."""

from __future__ import annotations

import json
import os
import tempfile
import unittest

from pypi.private import select_distributions as sd
from tools.pylib.cli import UserError

MANIFEST = {
    "numpy": {
        "version": "1.26.4",
        "files": ["sp/numpy/__init__.py"],
        "executables": [],
    },
    "nvidia_cublas_cu12": {
        "version": "12.4.5.8",
        "files": ["sp/nvidia/cublas/x.so"],
        "executables": ["sp/nvidia/cublas/x.so"],
    },
    "nvidia-cudnn-cu12": {
        "version": "9.1.0.70",
        "files": ["sp/nvidia/cudnn/y.so"],
        "executables": [],
    },
    "torch": {
        "version": "2.5.1",
        "files": ["sp/torch/__init__.py", "bin/torchrun"],
        "executables": ["bin/torchrun"],
    },
}


class SelectTest(unittest.TestCase):
    def test_include_matches_normalised_names(self) -> None:
        self.assertEqual(
            sd.select(MANIFEST, ["nvidia-*"], []),
            ["nvidia-cudnn-cu12", "nvidia_cublas_cu12"],
        )

    def test_exclude_and_everything(self) -> None:
        self.assertEqual(sd.select(MANIFEST, [], ["nvidia-*", "torch"]), ["numpy"])
        self.assertEqual(len(sd.select(MANIFEST, [], [])), 4)

    def test_a_typo_is_an_error(self) -> None:
        with self.assertRaisesRegex(UserError, "'nvida-\\*' matches no distribution"):
            sd.select(MANIFEST, ["nvida-*"], [])

    def test_paths(self) -> None:
        self.assertEqual(
            sd.selected_paths(MANIFEST, ["torch"]),
            ["sp/torch/__init__.py", "bin/torchrun"],
        )
        with self.assertRaisesRegex(UserError, "not a relative path"):
            sd.selected_paths({"evil": {"files": ["../../etc/passwd"]}}, ["evil"])

    def test_executables(self) -> None:
        self.assertEqual(
            sd.selected_executables(MANIFEST, ["nvidia_cublas_cu12", "torch"]),
            ["sp/nvidia/cublas/x.so", "bin/torchrun"],
        )
        stray = {"x": {"files": ["a"], "executables": ["a", "bin/b"]}}
        with self.assertRaisesRegex(UserError, "executable 'bin/b', which is not"):
            sd.selected_executables(stray, ["x"])
        with self.assertRaisesRegex(UserError, "'x' needs 'executables'"):
            sd.selected_executables({"x": {"files": ["a"]}}, ["x"])

    def test_cli(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            manifest = os.path.join(tmp, "distributions.json")
            with open(manifest, "w", encoding="utf-8") as f:
                json.dump(MANIFEST, f)
            out = os.path.join(tmp, "paths.txt")
            executables = os.path.join(tmp, "executables.txt")
            argv = ["--manifest", manifest, "--include", "torch", "--out", out]
            self.assertEqual(sd.main([*argv, "--executables-out", executables]), 0)
            with open(out, encoding="utf-8") as f:
                self.assertEqual(f.read(), "sp/torch/__init__.py\nbin/torchrun\n")
            with open(executables, encoding="utf-8") as f:
                self.assertEqual(f.read(), "bin/torchrun\n")


if __name__ == "__main__":
    unittest.main()
