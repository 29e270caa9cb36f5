"""oci_push pushes the index; a client pulls each platform's image back.

crane serves an in-memory registry on 127.0.0.1; the push script gets the
repository at run time (`-r`, as rules_oci's); crane then reads the index
and, with `--platform`, each platform's manifest and config.
"""

from __future__ import annotations

import json
import os
import subprocess
import unittest

from oci.private import layout_reader, media_types
from oci.testing import loopback_registry


def _path(var: str) -> str:
    return os.path.abspath(os.environ[var])


def _crane(*args: str) -> str:
    return subprocess.run(
        [_path("CRANE"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


class IndexPushTest(unittest.TestCase):
    def test_without_a_repository_it_says_so(self) -> None:
        done = subprocess.run(
            [_path("PUSH")], capture_output=True, text=True, timeout=60, check=False
        )
        self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
        self.assertIn("no repository", done.stderr)

    def test_push_then_pull_each_platform(self) -> None:
        layout = _path("INDEX")
        with loopback_registry(_path("CRANE")) as address:
            repository = f"{address}/mlimage/index"
            push = subprocess.run(
                [_path("PUSH"), "-r", repository, "--insecure"],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            self.assertEqual(push.returncode, 0, push.stdout + push.stderr)
            remote = json.loads(
                _crane("manifest", "--insecure", f"{repository}:latest")
            )
            self.assertEqual(remote["mediaType"], media_types.INDEX)
            self.assertEqual(remote, layout_reader.read_index(layout))
            for cpu in ("amd64", "arm64"):
                platform = f"linux/{cpu}"
                image = layout_reader.read_image(layout, platform=platform)
                digest = _crane(
                    "digest",
                    "--insecure",
                    "--platform",
                    platform,
                    f"{repository}:latest",
                ).strip()
                self.assertEqual(digest, image.manifest_descriptor["digest"], platform)
                config = json.loads(
                    _crane(
                        "config",
                        "--insecure",
                        "--platform",
                        platform,
                        f"{repository}:latest",
                    )
                )
                self.assertEqual(config["architecture"], cpu)


if __name__ == "__main__":
    unittest.main()
