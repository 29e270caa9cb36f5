"""The index lists an amd64 and an arm64 image of one oci_image target."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import unittest

from oci.private import layout_reader


class IndexTest(unittest.TestCase):
    def test_one_manifest_per_platform_each_with_its_own_layer(self) -> None:
        layout = os.environ["INDEX"]
        index = layout_reader.read_index(layout)
        self.assertEqual(
            index["annotations"], {"org.opencontainers.image.revision": "deadbeef"}
        )
        self.assertEqual(
            [layout_reader.platform_text(m["platform"]) for m in index["manifests"]],
            ["linux/amd64", "linux/arm64"],
        )
        with open(os.environ["DIGEST"]) as f:
            digest = f.read()
        with open(os.path.join(layout, "index.json"), "rb") as f:
            self.assertIn(digest.encode(), f.read())
        for cpu in ("amd64", "arm64"):
            image = layout_reader.read_image(layout, platform=f"linux/{cpu}")
            self.assertEqual(image.config["architecture"], cpu)
            self.assertEqual(image.config["config"]["User"], "65532:65532")
            (layer,) = image.layers
            with tarfile.open(layer.path) as tar:
                member = tar.extractfile("srv/oci/examples/index/cpu.txt")
                assert member is not None
                self.assertEqual(member.read(), f"{cpu}\n".encode())
        with self.assertRaisesRegex(Exception, "0 manifests for linux/s390x"):
            layout_reader.read_image(layout, platform="linux/s390x")

    def test_push_without_a_repository_says_so(self) -> None:
        done = subprocess.run(
            [os.path.abspath(os.environ["PUSH"])],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
        self.assertIn("no repository", done.stderr)
        self.assertIn(
            "ERROR: repository not set. Please pass --repository flag.", done.stderr
        )

    def test_the_load_archive_holds_the_index_under_its_tag(self) -> None:
        with open(os.environ["DIGEST"]) as f:
            digest = f.read()
        with tarfile.open(os.environ["TARBALL"]) as tar:
            index = tar.extractfile("index.json")
            assert index is not None
            (entry,) = json.loads(index.read())["manifests"]
            names = set(tar.getnames())
        self.assertEqual(entry["digest"], digest)
        self.assertEqual(
            entry["annotations"]["org.opencontainers.image.ref.name"],
            "mlimage/index:latest",
        )
        blobs = {n.rsplit("/", 1)[-1] for n in names if n.startswith("blobs/sha256/")}
        for cpu in ("amd64", "arm64"):
            image = layout_reader.read_image(
                os.environ["INDEX"], platform=f"linux/{cpu}"
            )
            for layer in image.layers:
                self.assertIn(layer.digest.split(":")[1], blobs)


if __name__ == "__main__":
    unittest.main()
