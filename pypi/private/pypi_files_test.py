"""Tests for pypi_files.py (no network: PyPI answers are synthetic)."""

from __future__ import annotations

import os
import sys
import unittest
from typing import Any
from unittest import mock

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import pypi_files
from rules_common.cli import UserError


class FetchTest(unittest.TestCase):
    """The two PyPI answers, reduced to release files (network mocked)."""

    RELEASE_JSON = {
        "urls": [
            {
                "filename": "x-1.0-py3-none-any.whl",
                "url": "../../packages/ab/cd/x-1.0-py3-none-any.whl",
                "digests": {"sha256": "AB" * 32, "md5": "0"},
                "size": 10,
            }
        ]
    }
    SIMPLE_JSON = {
        "meta": {"api-version": "1.1"},
        "files": [
            {
                "filename": "my_pkg-1.0-py3-none-any.whl",
                "url": "https://files.pythonhosted.org/packages/a/b/my_pkg-1.0-py3-none-any.whl",
                "hashes": {"sha256": "cd" * 32},
                "size": 5,
            },
            {
                "filename": "my_pkg-1.0.1-py3-none-any.whl",
                "url": "https://files.pythonhosted.org/x/my_pkg-1.0.1-py3-none-any.whl",
                "hashes": {"sha256": "ef" * 32},
                "size": 6,
            },
            {
                "filename": "my-pkg-1.0.tar.gz",
                "url": "/packages/c/d/my-pkg-1.0.tar.gz",
                "hashes": {"sha256": "01" * 32},
                "size": 7,
            },
        ],
    }

    def test_release_json(self) -> None:
        files = pypi_files.files_from_release_json(
            self.RELEASE_JSON, "https://pypi.org/pypi/x/1.0/json"
        )
        self.assertEqual(
            files,
            [
                {
                    "filename": "x-1.0-py3-none-any.whl",
                    "url": "https://pypi.org/pypi/packages/ab/cd/x-1.0-py3-none-any.whl",
                    "sha256": "ab" * 32,
                    "size": 10,
                }
            ],
        )

    def test_simple_json_filters_version(self) -> None:
        files = pypi_files.files_from_simple_json(
            self.SIMPLE_JSON, "my-pkg", "1.0", "https://pypi.org/simple/my-pkg/"
        )
        self.assertEqual(
            [(f["filename"], f["url"]) for f in files],
            [
                (
                    "my_pkg-1.0-py3-none-any.whl",
                    "https://files.pythonhosted.org/packages/a/b/my_pkg-1.0-py3-none-any.whl",
                ),
                (
                    "my-pkg-1.0.tar.gz",
                    "https://pypi.org/packages/c/d/my-pkg-1.0.tar.gz",
                ),
            ],
        )

    def test_falls_back_to_simple_index(self) -> None:
        calls: list[tuple[str, str]] = []

        def get_json(url: str, accept: str, label: str) -> Any:
            calls.append((url, accept))
            return None if "/pypi/" in url else self.SIMPLE_JSON

        with mock.patch.object(pypi_files, "_get_json", get_json):
            files = pypi_files.fetch_release("my-pkg", "1.0.1")
        self.assertEqual(
            [f["filename"] for f in files], ["my_pkg-1.0.1-py3-none-any.whl"]
        )
        self.assertEqual(
            calls,
            [
                ("https://pypi.org/pypi/my-pkg/1.0.1/json", "application/json"),
                (
                    "https://pypi.org/simple/my-pkg/",
                    "application/vnd.pypi.simple.v1+json",
                ),
            ],
        )

    def test_uses_release_json_when_served(self) -> None:
        with mock.patch.object(pypi_files, "_get_json", lambda *_: self.RELEASE_JSON):
            files = pypi_files.fetch_release("x", "1.0")
        self.assertEqual(files[0]["sha256"], "ab" * 32)

    def test_no_such_release(self) -> None:
        def get_json(url: str, accept: str, label: str) -> Any:
            return None if "/pypi/" in url else self.SIMPLE_JSON

        with (
            mock.patch.object(pypi_files, "_get_json", get_json),
            self.assertRaisesRegex(UserError, r"my-pkg==9\.9: PyPI has no such"),
        ):
            pypi_files.fetch_release("my-pkg", "9.9")


if __name__ == "__main__":
    unittest.main()
