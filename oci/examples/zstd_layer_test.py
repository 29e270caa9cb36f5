"""An image whose layer arrives zstd-compressed, and its load tarball."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import unittest


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return "sha256:" + hashlib.sha256(f.read()).hexdigest()


def blob(layout: str, digest: str) -> str:
    return os.path.join(layout, "blobs", *digest.split(":", 1))


class ZstdLayerTest(unittest.TestCase):
    def test_layout_keeps_the_zstd_layer_with_the_tars_diff_id(self) -> None:
        layout = os.environ["LAYOUT"]
        with open(os.path.join(layout, "index.json")) as f:
            manifest_digest = json.load(f)["manifests"][0]["digest"]
        with open(blob(layout, manifest_digest)) as f:
            manifest = json.load(f)
        with open(blob(layout, manifest["config"]["digest"])) as f:
            config = json.load(f)
        (layer,) = manifest["layers"]
        self.assertEqual(
            layer["mediaType"], "application/vnd.oci.image.layer.v1.tar+zstd"
        )
        self.assertEqual(layer["digest"], sha256(os.environ["LAYER_ZST"]))
        self.assertEqual(
            config["rootfs"]["diff_ids"], [sha256(os.environ["LAYER_TAR"])]
        )

    def test_load_tarball_holds_the_layer_uncompressed(self) -> None:
        self.check_tarball(os.environ["TARBALL"])

    def test_layer_compression_zstd_then_the_load_tarball(self) -> None:
        layout = os.environ["COMPRESSED_LAYOUT"]
        with open(os.path.join(layout, "index.json")) as f:
            manifest_digest = json.load(f)["manifests"][0]["digest"]
        with open(blob(layout, manifest_digest)) as f:
            manifest = json.load(f)
        (layer,) = manifest["layers"]
        self.assertEqual(
            layer["mediaType"], "application/vnd.oci.image.layer.v1.tar+zstd"
        )
        with open(blob(layout, layer["digest"]), "rb") as f:
            self.assertEqual(f.read(4), b"\x28\xb5\x2f\xfd")  # zstd's magic
        self.check_tarball(os.environ["COMPRESSED_TARBALL"])

    def check_tarball(self, path: str) -> None:
        with tarfile.open(path) as archive:
            manifest_file = archive.extractfile("manifest.json")
            assert manifest_file is not None
            (entry,) = json.load(manifest_file)
            (layer_path,) = entry["Layers"]
            layer_file = archive.extractfile(layer_path)
            assert layer_file is not None
            data = layer_file.read()
        self.assertEqual(
            "sha256:" + hashlib.sha256(data).hexdigest(),
            sha256(os.environ["LAYER_TAR"]),
        )


if __name__ == "__main__":
    unittest.main()
