"""attach: the attached layout links the image, adds one artifact manifest a file."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import unittest

from oci.private import attach, layout_reader, media_types
from oci.private.image_fixtures import File, write_layer, write_layout
from rules_common import cli

CONFIG = {"architecture": "amd64", "os": "linux"}
SPDX = "application/spdx+json"


class AttachTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.addCleanup(self._tmp.cleanup)
        layer = write_layer(self.tmp, "app", {"/srv/app.txt": File(b"app\n")})
        self.layout = write_layout(self.tmp, [layer], CONFIG)
        self.sbom = self.file("image.spdx.json", b'{"spdxVersion": "SPDX-2.3"}\n')

    def file(self, name: str, data: bytes) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def attach(self, *artifacts: str, out: str = "attached") -> tuple[str, dict]:
        dest = os.path.join(self.tmp, out)
        record = os.path.join(self.tmp, out + ".json")
        argv = ["--image", self.layout, "--out", dest, "--referrers", record]
        for artifact in artifacts:
            argv += ["--artifact", artifact]
        self.assertEqual(attach.main(argv), 0)
        with open(record) as f:
            return dest, json.load(f)

    def test_attachment_names_the_image_as_subject(self) -> None:
        dest, record = self.attach(f"{self.sbom}={SPDX}")
        image = layout_reader.read_image(self.layout)
        digest = image.manifest_descriptor["digest"]
        self.assertEqual(record["image"], digest)
        with open(os.path.join(dest, "index.json")) as f:
            index = json.load(f)
        self.assertEqual(index["manifests"][0], image.manifest_descriptor)
        (referrer,) = record["referrers"]
        self.assertEqual(index["manifests"][1]["digest"], referrer["digest"])
        self.assertEqual(index["manifests"][1]["artifactType"], SPDX)
        manifest = json.loads(
            layout_reader.read_blob(dest, index["manifests"][1], "attachment")
        )
        self.assertEqual(manifest["subject"]["digest"], digest)
        self.assertEqual(manifest["artifactType"], SPDX)
        self.assertEqual(manifest["config"]["digest"], media_types.EMPTY_DIGEST)
        (layer,) = manifest["layers"]
        self.assertEqual(
            layer["annotations"][attach.TITLE_ANNOTATION], "image.spdx.json"
        )
        with open(self.sbom, "rb") as f:
            self.assertEqual(
                layer["digest"], "sha256:" + hashlib.sha256(f.read()).hexdigest()
            )
        self.assertEqual(
            layout_reader.read_blob(dest, layer, "sbom"), open(self.sbom, "rb").read()
        )

    def test_image_blobs_are_links_not_copies(self) -> None:
        dest, _ = self.attach(f"{self.sbom}={SPDX}")
        image = layout_reader.read_image(self.layout)
        for layer in image.layers:
            linked = layout_reader.blob_path(dest, layer.digest)
            self.assertTrue(os.path.islink(linked))
            self.assertTrue(os.path.samefile(linked, layer.path))

    def test_same_inputs_same_digests(self) -> None:
        _, first = self.attach(f"{self.sbom}={SPDX}", out="one")
        _, second = self.attach(f"{self.sbom}={SPDX}", out="two")
        self.assertEqual(first, second)

    def test_refusals_name_the_input(self) -> None:
        empty = self.file("empty.json", b"")
        cases = {
            f"{self.sbom}": "expected FILE=ARTIFACT_TYPE",
            f"{self.sbom}=spdx": "is not a media type",
            f"{self.tmp}/missing.json={SPDX}": "missing.json: not a file",
            f"{empty}={SPDX}": "empty.json: 0 bytes",
        }
        for arg, message in cases.items():
            with self.subTest(arg=arg), self.assertRaisesRegex(cli.UserError, message):
                attach.parse_artifact(arg)
        with self.assertRaisesRegex(cli.UserError, "same file name"):
            attach.build(
                self.layout,
                [attach.Artifact(self.sbom, SPDX), attach.Artifact(self.sbom, SPDX)],
                os.path.join(self.tmp, "twice"),
            )
        with self.assertRaisesRegex(cli.UserError, "nothing to attach"):
            attach.main(["--image", self.layout, "--out", "x", "--referrers", "y"])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "twice")))


if __name__ == "__main__":
    unittest.main()
