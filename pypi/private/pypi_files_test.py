"""Tests for pypi_files.py: a release's files from its one index (pages synthetic)."""

from __future__ import annotations

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import index_config, pypi_files, simple_index
from rules_common.cli import UserError

SHA = "cd" * 32
CONFIG = index_config.parse(
    {
        "default": "corp",
        "indexes": [
            {"name": "corp", "url": "https://corp.example/simple/"},
            {"name": "pytorch", "url": "https://download.pytorch.org/whl/cu124/"},
        ],
        "packages": {"torch": "pytorch"},
    },
    "indexes.json",
)

CORP = {
    "https://corp.example/simple/my-pkg/": {
        "files": [
            {
                "filename": "my_pkg-1.0-py3-none-any.whl",
                "url": "/f/my_pkg-1.0-py3-none-any.whl",
                "hashes": {"sha256": SHA},
                "size": 5,
            },
            {
                "filename": "my_pkg-1.0.1-py3-none-any.whl",
                "url": "/f/my_pkg-1.0.1-py3-none-any.whl",
                "hashes": {"sha256": SHA},
                "size": 6,
            },
            {
                "filename": "my-pkg-1.0.tar.gz",
                "url": "/f/my-pkg-1.0.tar.gz",
                "hashes": {"sha256": SHA},
                "size": 7,
            },
            {
                "filename": "other-1.0-py3-none-any.whl",
                "url": "/f/other-1.0-py3-none-any.whl",
                "hashes": {"sha256": SHA},
                "size": 8,
            },
        ]
    },
    # What the default index offers under torch's name, at a higher version:
    # never asked, since torch is assigned to the PyTorch index.
    "https://corp.example/simple/torch/": {
        "files": [
            {
                "filename": "torch-99.0-py3-none-any.whl",
                "url": "/evil.whl",
                "hashes": {"sha256": SHA},
                "size": 1,
            }
        ]
    },
}
TORCH_HTML = (
    '<a href="/whl/cu124/torch-2.6.0%2Bcu124-cp311-cp311-linux_x86_64.whl'
    f'#sha256={SHA}">'
    "torch-2.6.0+cu124-cp311-cp311-linux_x86_64.whl</a>"
)


def get(url: str, index: simple_index.Index) -> tuple[str, bytes] | None:
    get.asked.append((index.name, url))  # type: ignore[attr-defined]
    if url in CORP:
        return simple_index.SIMPLE_JSON, json.dumps(CORP[url]).encode()
    if url == "https://download.pytorch.org/whl/cu124/torch/":
        return "text/html", TORCH_HTML.encode()
    return None


class FetchTest(unittest.TestCase):
    def setUp(self) -> None:
        get.asked = []  # type: ignore[attr-defined]
        self.fetch = pypi_files.index_fetch(CONFIG, get)

    def test_keeps_the_pinned_version_and_names_the_index(self) -> None:
        files = self.fetch("My_Pkg", "1.0")
        self.assertEqual(
            [(f["filename"], f["url"], f["index"]) for f in files],
            [
                (
                    "my_pkg-1.0-py3-none-any.whl",
                    "https://corp.example/f/my_pkg-1.0-py3-none-any.whl",
                    "corp",
                ),
                (
                    "my-pkg-1.0.tar.gz",
                    "https://corp.example/f/my-pkg-1.0.tar.gz",
                    "corp",
                ),
            ],
        )

    def test_an_assigned_package_is_asked_of_its_index_only(self) -> None:
        files = self.fetch("torch", "2.6.0+cu124")
        self.assertEqual([f["index"] for f in files], ["pytorch"])
        self.assertEqual(
            get.asked, [("pytorch", "https://download.pytorch.org/whl/cu124/torch/")]
        )  # type: ignore[attr-defined]
        with self.assertRaisesRegex(
            UserError,
            r"torch==99\.0: index pytorch .* has no such release \(it is assigned",
        ):
            self.fetch("torch", "99.0")

    def test_no_such_release_on_the_default(self) -> None:
        with self.assertRaisesRegex(
            UserError,
            r"my-pkg==9\.9: index corp \(https://corp.example/simple/\) "
            "has no such release",
        ):
            self.fetch("my-pkg", "9.9")
        with self.assertRaisesRegex(UserError, "absent==1.0: index corp"):
            self.fetch("absent", "1.0")


if __name__ == "__main__":
    unittest.main()
