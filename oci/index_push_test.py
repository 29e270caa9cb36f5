"""oci_push pushes an image index; a client pulls each platform's image back.

A test any package can run on its oci_image_index and oci_push targets
(env: CRANE, INDEX, PUSH; PLATFORMS, `os/arch` comma separated, in the
index's order): crane serves an in-memory registry on 127.0.0.1; the push
script gets the repository at run time (`-r`, as rules_oci's); crane then
reads the index and, with `--platform`, each platform's manifest and config.
"""

from __future__ import annotations

import json
import os
import subprocess
import unittest

from oci import layouts
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
    def test_push_then_pull_each_platform(self) -> None:
        layout = _path("INDEX")
        with loopback_registry(_path("CRANE")) as address:
            repository = f"{address}/mlimage/index-test"
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
            self.assertEqual(remote["mediaType"], layouts.INDEX)
            self.assertEqual(remote, layouts.read_index(layout))
            platforms = os.environ["PLATFORMS"].split(",")
            self.assertEqual(
                [layouts.platform_text(m["platform"]) for m in remote["manifests"]],
                platforms,
            )
            for platform in platforms:
                cpu = platform.split("/")[1]
                image = layouts.read_image(layout, platform=platform)
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
