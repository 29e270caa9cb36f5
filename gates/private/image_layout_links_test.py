"""The image's layout copies no layer: each blob is the layer file Bazel built.

A layout whose blobs were copies doubled the disk an image costs and the time
of every build (all 5.6 GB of the CUDA image's layers, again on an app-only
change). //oci/private:layout_links_test shows the check failing on a copy.
"""

from __future__ import annotations

import os
import unittest

from gates.private.image_under_test import runfile
from oci import layouts


class ImageLayoutLinksTest(unittest.TestCase):
    def test_layer_blobs_are_the_layer_files(self) -> None:
        blobs = [os.path.abspath(p) for p in os.environ["LAYER_BLOBS"].split()]
        self.assertTrue(blobs, "LAYER_BLOBS is empty")
        problems = layouts.check_links(runfile("IMAGE_LAYOUT"), blobs)
        self.assertEqual(problems, [], "\n".join(problems))


if __name__ == "__main__":
    unittest.main()
