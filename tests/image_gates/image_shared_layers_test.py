"""Two services on the same torch share its layers: one blob, not two.

IMAGE_LAYOUT and OTHER_LAYOUT are the two images' layouts, SHARED_LAYERS the
layer names both must hold as one file (the wheels both stacks lock: torch,
triton, the nvidia-* libraries). tests/image_gates/shared_layers_test.py
shows the check failing.
"""

from __future__ import annotations

import os
import unittest

from image_gates import shared_layers
from image_gates.image_under_test import runfile


class ImageSharedLayersTest(unittest.TestCase):
    def test_the_shared_wheels_are_one_layer(self) -> None:
        names = [n for n in os.environ["SHARED_LAYERS"].split(",") if n]
        self.assertTrue(names, "SHARED_LAYERS is empty")
        problems = shared_layers.check(
            runfile("IMAGE_LAYOUT"), runfile("OTHER_LAYOUT"), names
        )
        self.assertEqual(problems, [], "\n".join(problems))


if __name__ == "__main__":
    unittest.main()
