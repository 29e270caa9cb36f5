"""push_all: refuses bad arguments; a registry that is not there fails every image."""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

from oci.private import push_all
from oci.private.image_fixtures import File, write_layer, write_layout
from rules_common import cli

CONFIG = {"architecture": "amd64", "os": "linux"}


class PushAllTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.addCleanup(self._tmp.cleanup)
        layer = write_layer(self.tmp, "app", {"/srv/app.txt": File(b"app\n")})
        self.layout = write_layout(self.tmp, [layer], CONFIG)
        # A crane that answers nothing: every registry call fails.
        self.crane = os.path.join(self.tmp, "crane")
        with open(self.crane, "w") as f:
            f.write(
                "#!/bin/sh\n"
                'echo "Get http://127.0.0.1:9/v2/: connection refused" >&2\n'
                "exit 1\n"
            )
        os.chmod(self.crane, 0o755)

    def run_main(self, *args: str) -> tuple[int, str]:
        out = io.StringIO()
        with redirect_stdout(out):
            code = push_all.main(["--crane", self.crane, *args])
        return code, out.getvalue()

    def test_a_bad_image_argument(self) -> None:
        with self.assertRaisesRegex(cli.UserError, "expected NAME=LAYOUT"):
            push_all.main(["--crane", "c", "--registry", "r", "Bad Name=/x"])
        with self.assertRaisesRegex(cli.UserError, "expected NAME=LAYOUT"):
            push_all.main(["--crane", "c", "--registry", "r", "noequals"])

    def test_a_name_twice(self) -> None:
        with self.assertRaisesRegex(cli.UserError, "given twice"):
            push_all.main(["--crane", "c", "--registry", "r", "a=/x", "a=/y"])

    def test_no_jobs(self) -> None:
        with self.assertRaisesRegex(cli.UserError, "--jobs 0"):
            push_all.main(["--crane", "c", "--registry", "r", "--jobs", "0", "a=/x"])

    def test_an_unreachable_registry_fails_every_image(self) -> None:
        report = os.path.join(self.tmp, "report.json")
        code, out = self.run_main(
            "--registry",
            "127.0.0.1:9/team",
            "--report",
            report,
            f"a={self.layout}",
            f"b={self.layout}",
        )
        self.assertEqual(code, 1, out)
        with open(report) as f:
            results = json.load(f)
        self.assertEqual([r["status"] for r in results], ["failed", "failed"])
        self.assertEqual(results[0]["reference"].split("@")[0], "127.0.0.1:9/team/a")
        self.assertIn("connection refused", results[0]["message"])
        self.assertIn("a: Get http://127.0.0.1:9/v2/: connection refused", out)

    def test_images_that_share_a_blob_wait_for_the_earlier_one(self) -> None:
        shared = write_layer(self.tmp, "shared", {"/srv/s.txt": File(b"s\n")})
        own = write_layer(self.tmp, "own", {"/srv/o.txt": File(b"o\n")})
        other = write_layer(self.tmp, "other", {"/srv/x.txt": File(b"x\n")})
        first = write_layout(self.tmp, [shared], CONFIG, out="first")
        second = write_layout(self.tmp, [shared, own], CONFIG, out="second")
        apart = write_layout(self.tmp, [other], {**CONFIG, "env": ["X=1"]}, out="apart")
        self.assertEqual(push_all.after([first, second, apart]), [[], [0], []])
        self.assertEqual(push_all.after([first, f"{self.tmp}/missing"]), [[], []])

    def test_a_layout_that_is_not_one(self) -> None:
        code, out = self.run_main("--registry", "r", f"a={self.tmp}/missing")
        self.assertEqual(code, 1)
        self.assertIn("failed", out)
        self.assertIn(f"{self.tmp}/missing", out)


if __name__ == "__main__":
    sys.exit(unittest.main())
