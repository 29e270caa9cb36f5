"""Tests for image_assert.py: config fields and file contents, failing on a change."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import image_assert  # noqa: E402
from oci.private.image_fixtures import File, write_layer, write_layout  # noqa: E402


class ImageAssertTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        self.tmp = self._tmp.name
        layer = write_layer(self.tmp, "app", {"/a": File("a")})
        self.layout = write_layout(
            self.tmp, [layer], {"entrypoint": ["/bin/sh"], "env": ["A=1", "B=2"]}
        )

    def run_config(self, expected: object) -> tuple[int, str]:
        path = os.path.join(self.tmp, "expected.json")
        with open(path, "w") as f:
            json.dump(expected, f)
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            rc = image_assert.main(
                ["config", "--layout", self.layout, "--expected", path]
            )
        return rc, stderr.getvalue()

    def test_matching_fields_pass(self) -> None:
        expected = {
            "architecture": "amd64",
            "config": {"Entrypoint": ["/bin/sh"], "Env": ["A=1", "B=2"], "Cmd": None},
        }
        self.assertEqual(self.run_config(expected), (0, ""))

    def test_each_difference_is_reported(self) -> None:
        rc, err = self.run_config(
            {
                "os": "windows",
                "config": {"Env": ["B=2", "A=1"], "Entrypoint": None},
            }
        )
        self.assertEqual(rc, 1)
        self.assertIn('os: expected "windows", got "linux"', err)
        self.assertIn('config.Env: expected ["B=2", "A=1"], got ["A=1", "B=2"]', err)
        self.assertIn('config.Entrypoint: expected null, got ["/bin/sh"]', err)

    def test_contains(self) -> None:
        actual = os.path.join(self.tmp, "actual")
        with open(actual, "w") as f:
            f.write('{"annotations": {"rev": "deadbeef"}}')
        wanted = os.path.join(self.tmp, "wanted")
        for text, rc in (("deadbeef", 0), ("cafebabe", 1)):
            with open(wanted, "w") as f:
                f.write(text)
            with contextlib.redirect_stderr(io.StringIO()):
                self.assertEqual(
                    image_assert.main(
                        ["contains", "--file", actual, "--expected-file", wanted]
                    ),
                    rc,
                    text,
                )

    def run_json(self, first: str, second: str) -> tuple[int, str]:
        paths = []
        for name, text in (("first.json", first), ("second.json", second)):
            paths.append(os.path.join(self.tmp, name))
            with open(paths[-1], "w") as f:
                f.write(text)
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            rc = image_assert.main(["json", "--file1", paths[0], "--file2", paths[1]])
        return rc, stderr.getvalue()

    def test_json_same_values_in_any_layout(self) -> None:
        self.assertEqual(
            self.run_json('[\n  "a:1",\n  "b:2"\n]\n', '["a:1", "b:2"]'), (0, "")
        )
        self.assertEqual(
            self.run_json('{"x": 1, "y": [2]}', '{"y":[2],"x":1}'), (0, "")
        )
        # jq writes one value per result: a stream, compared in order.
        self.assertEqual(self.run_json("1\n2\n", "1 2"), (0, ""))

    def test_json_differences_are_shown(self) -> None:
        rc, err = self.run_json('["two:is_a_company"]', '["two:is_a_crowd"]')
        self.assertEqual(rc, 1)
        self.assertIn('-    "two:is_a_company"', err)
        self.assertIn('+    "two:is_a_crowd"', err)
        self.assertEqual(self.run_json("1 2", "2 1")[0], 1)
        self.assertEqual(self.run_json("1", "1 1")[0], 1)

    def test_json_refuses_what_is_not_json(self) -> None:
        with self.assertRaisesRegex(Exception, "second.json: not a stream of JSON"):
            self.run_json("[1]", "[1, ")


if __name__ == "__main__":
    unittest.main()
