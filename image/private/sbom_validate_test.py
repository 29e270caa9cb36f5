"""Our SBOMs pass the independent validators; broken ones do not."""

from __future__ import annotations

import os
import tempfile
import unittest
from typing import Any

from image.private import sbom, sbom_validate
from image.private.sbom_test import inventory


class SbomValidateTest(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name

    def write(self, name: str, doc: dict[str, Any]) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(sbom.dumps(doc))
        return path

    def test_our_documents_pass(self) -> None:
        inv = inventory()
        self.assertEqual(
            sbom_validate.spdx_problems(self.write("s.json", sbom.spdx(inv))), []
        )
        self.assertEqual(
            sbom_validate.cyclonedx_problems(self.write("c.json", sbom.cyclonedx(inv))),
            [],
        )

    def test_a_broken_spdx_document_fails(self) -> None:
        doc = sbom.spdx(inventory())
        doc["relationships"].append(
            {
                "spdxElementId": "SPDXRef-Image",
                "relationshipType": "CONTAINS",
                "relatedSpdxElement": "SPDXRef-Nowhere",
            }
        )
        problems = sbom_validate.spdx_problems(self.write("s.json", doc))
        self.assertTrue(any("SPDXRef-Nowhere" in p for p in problems), problems)
        doc = sbom.spdx(inventory())
        doc["packages"][-1]["checksums"][0]["checksumValue"] = "not-hex"
        self.assertNotEqual(sbom_validate.spdx_problems(self.write("s2.json", doc)), [])

    def test_a_broken_cyclonedx_document_fails(self) -> None:
        doc = sbom.cyclonedx(inventory())
        doc["components"][-1]["hashes"][0]["content"] = "not-hex"
        self.assertNotEqual(
            sbom_validate.cyclonedx_problems(self.write("c.json", doc)), []
        )
        doc = sbom.cyclonedx(inventory())
        doc["specVersion"] = "1.6"
        doc["components"][0]["type"] = "not-a-type"
        self.assertNotEqual(
            sbom_validate.cyclonedx_problems(self.write("c2.json", doc)), []
        )


if __name__ == "__main__":
    unittest.main()
