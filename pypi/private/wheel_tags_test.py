"""Tests for wheel_tags.py."""

from __future__ import annotations

import os
import sys
import unittest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import wheel_tags
from pypi.private.fake_pypi import wheel_file


class NamesTest(unittest.TestCase):
    def test_parse_wheel_filename(self) -> None:
        parsed = wheel_tags.parse_wheel_filename(
            "foo_bar-1.0-2b-py2.py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        )
        self.assertEqual(parsed.name, "foo-bar")
        self.assertEqual(parsed.version, "1.0")
        self.assertEqual(parsed.build, (2, "b"))
        self.assertIn(("py3", "none", "manylinux2014_x86_64"), parsed.tags)
        self.assertEqual(len(parsed.tags), 4)
        with self.assertRaises(ValueError):
            wheel_tags.parse_wheel_filename("foo-1.0.tar.gz")
        with self.assertRaises(ValueError):
            wheel_tags.parse_wheel_filename("foo-1.0-x-py3-none-any.whl")


class SelectionTest(unittest.TestCase):
    def pick(self, *filenames: str) -> str | None:
        chosen = wheel_tags.select_wheel([wheel_file(f) for f in filenames])
        return None if chosen is None else chosen["filename"]

    def test_prefers_most_specific(self) -> None:
        files = [
            "x-1-py3-none-any.whl",
            "x-1-cp38-abi3-manylinux_2_28_x86_64.whl",
            "x-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "x-1-cp311-cp311-manylinux_2_28_x86_64.whl",
        ]
        self.assertEqual(self.pick(*files), "x-1-cp311-cp311-manylinux_2_28_x86_64.whl")
        self.assertEqual(self.pick(*files[:3]), files[2])
        self.assertEqual(self.pick(*files[:2]), files[1])
        self.assertEqual(self.pick(files[0]), files[0])

    def test_abi3_order(self) -> None:
        self.assertEqual(
            self.pick(
                "x-1-cp37-abi3-manylinux1_x86_64.whl",
                "x-1-cp39-abi3-manylinux1_x86_64.whl",
            ),
            "x-1-cp39-abi3-manylinux1_x86_64.whl",
        )
        self.assertIsNone(self.pick("x-1-cp312-abi3-manylinux1_x86_64.whl"))

    def test_rejected(self) -> None:
        self.assertIsNone(
            self.pick(
                "x-1-cp311-cp311-linux_x86_64.whl",
                "x-1-cp311-cp311-manylinux_2_39_x86_64.whl",
                "x-1-cp311-cp311-musllinux_1_1_x86_64.whl",
                "x-1-cp311-cp311-manylinux_2_17_aarch64.whl",
                "x-1-cp310-cp310-manylinux_2_17_x86_64.whl",
                "x-1-cp312-cp312-manylinux_2_17_x86_64.whl",
                "x-1-py2-none-any.whl",
                "x-1-cp311-cp311-win_amd64.whl",
                "x-1.tar.gz",
            )
        )

    def test_accepted(self) -> None:
        for name in (
            "x-1-cp311-cp311-manylinux_2_36_x86_64.whl",
            "x-1-cp311-cp311-manylinux2010_x86_64.whl",
            "x-1-cp311-abi3-manylinux_2_5_x86_64.whl",
            "x-1-py311-none-any.whl",
            "x-1-py2.py3-none-any.whl",
            "x-1-py3-none-manylinux1_x86_64.whl",
            "x-1-cp311-none-any.whl",
        ):
            with self.subTest(name=name):
                self.assertEqual(self.pick(name), name)

    def test_build_tag_breaks_ties(self) -> None:
        self.assertEqual(
            self.pick(
                "x-1-1-py3-none-any.whl",
                "x-1-2-py3-none-any.whl",
                "x-1-py3-none-any.whl",
            ),
            "x-1-2-py3-none-any.whl",
        )


if __name__ == "__main__":
    unittest.main()
