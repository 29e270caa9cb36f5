"""Tests for index_config.py: the indexes.json beside a lock."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import unittest
from typing import Any

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import index_config
from rules_common.cli import UserError

GOOD: dict[str, Any] = {
    "default": "corp",
    "indexes": [
        {"name": "corp", "url": "https://corp.example/api/pypi/simple"},
        {"name": "pytorch-cu124", "url": "https://download.pytorch.org/whl/cu124/"},
        {"name": "local", "url": "http://127.0.0.1:8080/simple/"},
    ],
    "packages": {"Torch": "pytorch-cu124", "nvidia_cudnn_cu12": "pytorch-cu124"},
}


def with_changes(**changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(GOOD))
    data.update(changes)
    return data


class IndexConfigTest(unittest.TestCase):
    def test_assignments_and_default(self) -> None:
        config = index_config.parse(GOOD, "indexes.json")
        self.assertEqual(config.default.url, "https://corp.example/api/pypi/simple/")
        self.assertEqual(config.index_for("torch").name, "pytorch-cu124")
        self.assertEqual(config.index_for("nvidia-cudnn-cu12").name, "pytorch-cu124")
        self.assertEqual(
            config.index_for("numpy").name, "corp", "unassigned: the default only"
        )

    def test_no_file_is_pypi_only(self) -> None:
        config = index_config.load(None)
        self.assertEqual(config.index_for("torch"), index_config.PYPI)

    def test_default_defaults_to_pypi_when_listed(self) -> None:
        data = {"indexes": [{"name": "pypi", "url": "https://pypi.org/simple/"}]}
        self.assertEqual(index_config.parse(data, "x").default.name, "pypi")

    def test_refusals_name_the_file_and_the_fault(self) -> None:
        cases = [
            (with_changes(default="nope"), "default index 'nope' is not one of"),
            (with_changes(packages={"torch": "nope"}), "torch is assigned to 'nope'"),
            (
                with_changes(packages={"Torch": "corp", "torch": "corp"}),
                "torch is assigned twice",
            ),
            (with_changes(indexes=[]), "non-empty list"),
            (with_changes(extra=1), r"unknown key\(s\) \['extra'\]"),
            (
                with_changes(
                    indexes=[
                        {"name": "corp", "url": "https://u:p@corp.example/simple/"}
                    ]
                ),
                "holds credentials",
            ),
            (
                with_changes(
                    indexes=[{"name": "corp", "url": "http://corp.example/simple/"}]
                ),
                "plain http",
            ),
            (
                with_changes(
                    indexes=[
                        {"name": "corp", "url": "https://corp.example/simple/?t=1"}
                    ]
                ),
                "query or fragment",
            ),
            (
                with_changes(
                    indexes=[{"name": "Corp Mirror", "url": "https://corp.example/"}]
                ),
                "must match",
            ),
            (
                with_changes(
                    indexes=[
                        {"name": "corp", "url": "https://a.example/"},
                        {"name": "corp", "url": "https://b.example/"},
                    ]
                ),
                "named twice",
            ),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesRegex(
                    UserError, "^third_party/x/indexes.json: .*" + message
                ):
                    index_config.parse(data, "third_party/x/indexes.json")

    def test_load(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "indexes.json")
            with open(path, "w") as f:
                json.dump(GOOD, f)
            self.assertEqual(index_config.load(path).source, path)
            with open(path, "w") as f:
                f.write("{")
            with self.assertRaisesRegex(UserError, "not valid JSON"):
                index_config.load(path)
            with self.assertRaisesRegex(UserError, "cannot read"):
                index_config.load(os.path.join(tmp, "absent.json"))


if __name__ == "__main__":
    unittest.main()
