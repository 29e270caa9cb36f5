"""referrers_check: oras discover must list exactly the recorded attachments."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import unittest

from oci import referrers_check
from oci.private import attach
from oci.private.image_fixtures import File, write_layer, write_layout

CONFIG = {"architecture": "amd64", "os": "linux"}
SPDX = "application/spdx+json"
INTOTO = "application/vnd.in-toto+json"


class ReferrersCheckTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.addCleanup(self._tmp.cleanup)
        self.oras = os.path.abspath(os.environ["ORAS"])
        layer = write_layer(self.tmp, "app", {"/srv/app.txt": File(b"app\n")})
        layout = write_layout(self.tmp, [layer], CONFIG)
        self.sbom = self.write("image.spdx.json", b'{"spdxVersion": "SPDX-2.3"}\n')
        self.statement = self.write("provenance.json", b'{"_type": "statement"}\n')
        self.attached = os.path.join(self.tmp, "attached")
        record = attach.build(
            layout,
            [attach.Artifact(self.sbom, SPDX), attach.Artifact(self.statement, INTOTO)],
            self.attached,
        )
        self.record = self.write("record.json", json.dumps(record).encode())

    def write(self, name: str, data: bytes) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def check(self, *extra: str) -> tuple[int, str]:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = referrers_check.main(
                ["--oras", self.oras, "--referrers", self.record]
                + ["--layout", self.attached, *extra]
            )
        return code, err.getvalue()

    def test_the_attached_layout_passes(self) -> None:
        code, said = self.check(
            "--file",
            self.sbom,
            "--file",
            self.statement,
        )
        self.assertEqual((code, said), (0, ""))

    def test_an_attachment_missing_from_the_index_fails(self) -> None:
        index_path = os.path.join(self.attached, "index.json")
        with open(index_path) as f:
            index = json.load(f)
        dropped = index["manifests"].pop()
        with open(index_path, "w") as f:
            json.dump(index, f)
        code, said = self.check()
        self.assertEqual(code, 1)
        self.assertIn(
            f"{INTOTO} {dropped['digest']}: not listed by oras discover", said
        )

    def test_another_type_or_other_bytes_fail(self) -> None:
        with open(self.record) as f:
            record = json.load(f)
        record["referrers"][0]["artifactType"] = "application/vnd.cyclonedx+json"
        self.write("record.json", json.dumps(record).encode())
        os.mkdir(os.path.join(self.tmp, "other"))
        other = self.write("other/image.spdx.json", b"{}\n")
        code, said = self.check("--file", other)
        self.assertEqual(code, 1)
        self.assertIn(f"oras lists it as {SPDX!r}", said)
        self.assertIn("attachment 'image.spdx.json' holds other bytes", said)


if __name__ == "__main__":
    unittest.main()
