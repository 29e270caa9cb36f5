"""Structural gates on the real image (//:image_layout).

Layer order and count, each locked distribution exactly once and at its
version, only the locked numpy, nothing installed outside the one
site-packages, a non-root user present in /etc/passwd, and an entrypoint that
resolves inside the image. structure_gate_test.py shows each check failing on
a broken image.
"""

from __future__ import annotations

import json
import os
import unittest

from gates.private import structure_gate
from gates.private.image_under_test import runfile


class ImageStructureTest(unittest.TestCase):
    def test_image_passes_the_structural_gates(self) -> None:
        with open(runfile("WHEELS_JSON"), encoding="utf-8") as f:
            wheels = json.load(f)["wheels"]
        with open(runfile("PYTHON_INFO"), encoding="utf-8") as f:
            python = json.load(f)
        # The layers the image macro declared, as the layout action wrote
        # them from its inputs (the image's .layers file).
        with open(runfile("IMAGE_LAYERS_FILE"), encoding="utf-8") as f:
            declared = json.load(f)["layers"]
        expectations = {
            "layers": [layer["name"] for layer in declared],
            "layer_digests": [layer["digest"] for layer in declared],
            "site_packages": "/" + python["site_packages"],
            "distributions": {name: w["version"] for name, w in wheels.items()},
            "unique_packages": os.environ["UNIQUE_PACKAGES"].split(","),
            "user": "65532",
        }
        problems = structure_gate.check(runfile("IMAGE_LAYOUT"), expectations)
        self.assertEqual(problems, [], "\n".join(problems))


if __name__ == "__main__":
    unittest.main()
