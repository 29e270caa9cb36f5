"""Two services on the same torch share its layers: one blob, not two.

IMAGE_LAYOUT and OTHER_LAYOUT are the two images' layouts, IMAGE_LAYERS_FILE
the first one's `.layers` file, SHARED_LAYERS fnmatch patterns of the layer
names both must hold as one file (the wheels both stacks lock: torch,
triton, the nvidia-* libraries); each pattern must name at least one layer.
gates/private/shared_layers_test.py shows the check failing.
"""

from __future__ import annotations

import fnmatch
import json
import os
import unittest

from gates.private import shared_layers
from gates.private.image_under_test import runfile


class ImageSharedLayersTest(unittest.TestCase):
    def test_the_shared_wheels_are_one_layer(self) -> None:
        patterns = [p for p in os.environ["SHARED_LAYERS"].split(",") if p]
        self.assertTrue(patterns, "SHARED_LAYERS is empty")
        with open(runfile("IMAGE_LAYERS_FILE"), encoding="utf-8") as f:
            declared = [layer["name"] for layer in json.load(f)["layers"]]
        names = []
        for pattern in patterns:
            matched = fnmatch.filter(declared, pattern)
            self.assertTrue(
                matched, f"SHARED_LAYERS: {pattern!r} names no layer of {declared}"
            )
            names += matched
        problems = shared_layers.check(
            runfile("IMAGE_LAYOUT"), runfile("OTHER_LAYOUT"), names
        )
        self.assertEqual(problems, [], "\n".join(problems))


if __name__ == "__main__":
    unittest.main()
