"""The rules_oci-attributes example builds what its attributes say."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import unittest

from oci.private import layout_reader


def _path(var: str) -> str:
    return os.path.abspath(os.environ[var])


class RulesOciAttributesTest(unittest.TestCase):
    def test_image(self) -> None:
        image = layout_reader.read_image(_path("IMAGE"))
        config = image.config["config"]
        self.assertEqual(config["Entrypoint"], ["/bin/cat"])
        self.assertEqual(config["Cmd"], ["/srv/hello.txt"])
        self.assertEqual(config["Env"], ["GREETING=hello"])
        self.assertEqual(config["User"], "65532:65532")
        self.assertEqual(config["WorkingDir"], "/srv")
        self.assertEqual(config["ExposedPorts"], {"8080/tcp": {}})
        self.assertEqual(config["Volumes"], {"/data": {}})
        self.assertEqual(
            config["Labels"], {"org.opencontainers.image.title": "example"}
        )
        self.assertEqual(image.config["created"], "2026-12-01T00:00:00Z")
        self.assertEqual(
            image.manifest["annotations"]["org.opencontainers.image.source"],
            "https://example.invalid/app",
        )
        # A plain tar is stored as is; the .tar.gz keeps its compression.
        self.assertEqual(
            [layer.compression for layer in image.layers], ["none", "gzip"]
        )

    def test_derived_inherits_the_platform_and_reads_labels_from_a_file(self) -> None:
        image = layout_reader.read_image(_path("DERIVED"))
        self.assertEqual(
            (image.config["os"], image.config["architecture"]), ("linux", "amd64")
        )
        config = image.config["config"]
        self.assertEqual(config["Env"], ["GREETING=hi"])
        self.assertEqual(config["Entrypoint"], ["/bin/cat"])
        self.assertEqual(config["Labels"]["org.opencontainers.image.version"], "2")
        self.assertEqual(len(image.layers), 3)
        with open(_path("DERIVED_DIGEST"), encoding="utf-8") as f:
            self.assertEqual(f.read().strip(), image.manifest_descriptor["digest"])

    def test_oci_format_tarball_names_the_tag(self) -> None:
        with tarfile.open(_path("LOAD_OCI_TARBALL")) as tar:
            index = json.loads(tar.extractfile("index.json").read())  # type: ignore[union-attr]
        (entry,) = index["manifests"]
        self.assertEqual(
            entry["annotations"]["org.opencontainers.image.ref.name"],
            "example/rules-oci:oci",
        )
        derived = layout_reader.read_image(_path("DERIVED"))
        self.assertEqual(entry["digest"], derived.manifest_descriptor["digest"])

    def test_bazel_run_streams_into_the_loader(self) -> None:
        # As `bazel run` starts it: not inside this test's Python.
        env = {
            k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH")
        }
        done = subprocess.run(
            [_path("LOAD_OCI")], capture_output=True, text=True, check=False, env=env
        )
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        size = os.path.getsize(_path("LOAD_OCI_TARBALL"))
        self.assertIn(f"loaded {size} bytes, first member blobs/", done.stdout)


if __name__ == "__main__":
    unittest.main()
