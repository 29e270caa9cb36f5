"""oci_push pushes an image index; a client pulls each platform's image back.

A test any package can run on its oci_image_index and oci_push targets
(env: CRANE, INDEX, PUSH, SKOPEO; PLATFORMS, `os/arch` comma separated, in
the index's order): crane serves an in-memory registry on 127.0.0.1; the
push script gets the repository at run time (`-r`, as rules_oci's); crane
then reads the index and, with `--platform`, each platform's manifest and
config; skopeo, a second client, reads the index raw (`inspect --raw`, the
same bytes as the layout's) and copies each platform's image into a layout
of its own (`--override-arch`), whose manifest digest must be ours.
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


def _client(var: str, *args: str) -> bytes:
    """The output of a registry client (CRANE, SKOPEO), which must succeed."""
    # Their caches and auth lookups under the test's own HOME.
    env = dict(os.environ, HOME=os.environ.get("TEST_TMPDIR", "/tmp"))
    return subprocess.run(
        [_path(var), *args], capture_output=True, env=env, timeout=60, check=True
    ).stdout


def _skopeo(*args: str) -> bytes:
    return _client("SKOPEO", *args)


def _crane(*args: str) -> str:
    return _client("CRANE", *args).decode()


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
            self.check_with_skopeo(layout, f"docker://{repository}:latest", platforms)

    def check_with_skopeo(self, layout: str, ref: str, platforms: list[str]) -> None:
        raw = _skopeo("inspect", "--raw", "--tls-verify=false", ref)
        with open(os.path.join(layout, "index.json")) as f:
            descriptor = json.load(f)["manifests"][0]
        blob = descriptor["digest"].replace(":", "/")
        with open(os.path.join(layout, "blobs", blob), "rb") as f:
            self.assertEqual(raw, f.read(), "skopeo's raw index is not the layout's")
        policy = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "policy.json")
        with open(policy, "w") as f:
            json.dump({"default": [{"type": "insecureAcceptAnything"}]}, f)
        for platform in platforms:
            os_name, cpu = platform.split("/")[:2]
            pulled = os.path.join(
                os.environ.get("TEST_TMPDIR", "/tmp"), "pulled-" + cpu
            )
            _skopeo(
                "--policy",
                policy,
                "--override-os",
                os_name,
                "--override-arch",
                cpu,
                "copy",
                # As pulled: without this skopeo would compress the layers
                # for its layout, which is another manifest.
                "--preserve-digests",
                "--src-tls-verify=false",
                ref,
                f"oci:{pulled}:latest",
            )
            image = layouts.read_image(layout, platform=platform)
            copied = layouts.read_image(pulled)
            self.assertEqual(
                copied.manifest_descriptor["digest"],
                image.manifest_descriptor["digest"],
                f"skopeo's {platform} image",
            )
            self.assertEqual(copied.config["architecture"], cpu)


if __name__ == "__main__":
    unittest.main()
