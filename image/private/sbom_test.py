"""sbom: both documents from one inventory, deterministic; a bad inventory is named."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import unittest
from typing import Any

from image.private import sbom

SHA = "0" * 63 + "1"


def inventory() -> dict[str, Any]:
    return {
        "image": {
            "name": "//services/imagestats:image",
            "digest": "sha256:" + "ab" * 32,
        },
        "layers": [{"name": "base", "digest": "sha256:" + "cd" * 32, "size": 10}],
        "interpreter": {"name": "python", "version": "3.13.5"},
        "debian": [
            {
                "name": "libc6",
                "version": "2.41-12+deb13u5",
                "architecture": "amd64",
                "source": "glibc",
                "source_version": "2.41-12+deb13u5",
                "sha256": SHA,
                "url": "https://deb.debian.org/debian/pool/main/g/glibc/libc6.deb",
            },
            {
                "name": "tzdata",
                "version": "2025b-4",
                "architecture": "all",
                "sha256": SHA,
            },
        ],
        "python": [
            {
                "name": "Typing_Extensions",
                "version": "4.16.0",
                "sha256": SHA,
                "url": "https://files.pythonhosted.org/t.whl",
                "license": "PSF-2.0",
            }
        ],
    }


class SbomTest(unittest.TestCase):
    def run_tool(self, inv: dict[str, Any]) -> tuple[int, str, dict, dict]:
        with tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR")) as tmp:
            paths = [os.path.join(tmp, n) for n in ("inv.json", "s.json", "c.json")]
            with open(paths[0], "w") as f:
                json.dump(inv, f)
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                rc = sbom.main(
                    [
                        "--inventory",
                        paths[0],
                        "--spdx",
                        paths[1],
                        "--cyclonedx",
                        paths[2],
                    ]
                )
            docs = []
            for path in paths[1:]:
                with open(path, encoding="utf-8") as f:
                    docs.append(f.read())
        return rc, err.getvalue(), json.loads(docs[0]), json.loads(docs[1])

    def test_spdx_names_the_image_and_every_package(self) -> None:
        doc = sbom.spdx(inventory())
        self.assertEqual(doc["spdxVersion"], "SPDX-2.3")
        self.assertEqual(doc["documentDescribes"], ["SPDXRef-Image"])
        purls = [
            ref["referenceLocator"]
            for p in doc["packages"]
            for ref in p.get("externalRefs", [])
        ]
        self.assertIn(
            "pkg:deb/debian/libc6@2.41-12%2Bdeb13u5?arch=amd64&upstream=glibc", purls
        )
        self.assertIn("pkg:deb/debian/tzdata@2025b-4?arch=all", purls)
        self.assertIn("pkg:pypi/typing-extensions@4.16.0", purls)
        self.assertIn("pkg:oci/image@sha256%3A" + "ab" * 32, purls)
        libc = next(p for p in doc["packages"] if p["name"] == "libc6")
        self.assertEqual(
            libc["sourceInfo"], "built package from: glibc 2.41-12+deb13u5"
        )
        self.assertEqual(
            libc["checksums"], [{"algorithm": "SHA256", "checksumValue": SHA}]
        )
        contained = {
            r["relatedSpdxElement"]
            for r in doc["relationships"]
            if r["relationshipType"] == "CONTAINS"
        }
        self.assertEqual(len(contained), len(doc["packages"]) - 1)

    def test_cyclonedx_names_the_image_and_every_package(self) -> None:
        doc = sbom.cyclonedx(inventory())
        self.assertEqual((doc["bomFormat"], doc["specVersion"]), ("CycloneDX", "1.6"))
        self.assertEqual(doc["metadata"]["component"]["type"], "container")
        names = sorted(c["name"] for c in doc["components"])
        self.assertEqual(
            names, ["Typing_Extensions", "layer base", "libc6", "python", "tzdata"]
        )
        wheel = next(c for c in doc["components"] if c["name"] == "Typing_Extensions")
        self.assertEqual(wheel["licenses"], [{"license": {"name": "PSF-2.0"}}])
        self.assertEqual(len(doc["dependencies"][0]["dependsOn"]), 5)

    def test_same_inventory_same_bytes(self) -> None:
        first, second = self.run_tool(inventory()), self.run_tool(inventory())
        self.assertEqual(first[0], 0, first[1])
        self.assertEqual(first, second)
        other = inventory()
        other["image"]["digest"] = "sha256:" + "ef" * 32
        third = self.run_tool(other)
        self.assertNotEqual(first[3]["serialNumber"], third[3]["serialNumber"])
        self.assertNotEqual(
            first[2]["documentNamespace"], third[2]["documentNamespace"]
        )

    def test_a_bad_inventory_is_named(self) -> None:
        for change, message in (
            (lambda inv: inv["image"].update(digest="sha256:xyz"), "image.digest"),
            (lambda inv: inv["debian"][0].pop("sha256"), "debian libc6: no sha256"),
            (lambda inv: inv["python"][0].update(sha256="abc"), "not 64 hex digits"),
            (
                lambda inv: inv["debian"].append(dict(inv["debian"][0])),
                "libc6 is listed twice",
            ),
        ):
            inv = inventory()
            change(inv)
            with self.assertRaisesRegex(Exception, message):
                sbom.check_inventory(inv)


if __name__ == "__main__":
    unittest.main()
