"""Every blob of an image layout in a test's runfiles is there with what it links to.

A layout's blobs are links: to the layer files, and into the base's layout
(rules_oci's assertion case 12 checks the same of a derived image). A test
that has the layout in its runfiles must have every file those links end at,
or it would read through to outputs the sandbox or a remote worker lacks.
Env: LAYOUTS, runfiles paths of layouts, space-separated.
"""

from __future__ import annotations

import os
import unittest

BIN = os.sep + "bin" + os.sep


def runfiles_root() -> str:
    return os.path.join(os.environ["TEST_SRCDIR"], os.environ["TEST_WORKSPACE"])


class BlobsInRunfilesTest(unittest.TestCase):
    def test_each_blob_ends_at_a_file_of_the_runfiles(self) -> None:
        root = runfiles_root()
        layouts = os.environ["LAYOUTS"].split()
        self.assertTrue(layouts)
        for layout in layouts:
            blobs = os.path.join(root, layout, "blobs", "sha256")
            names = sorted(os.listdir(blobs))
            self.assertGreaterEqual(len(names), 3, layout)  # config, manifest, layer
            for name in names:
                real = os.path.realpath(os.path.join(blobs, name))
                self.assertIn(BIN, real, f"{layout}: {name} is not an output")
                short = real.split(BIN, 1)[1]
                self.assertTrue(
                    os.path.isfile(os.path.join(root, short)),
                    f"{layout}: blob {name} ends at {short}, not in the runfiles",
                )


if __name__ == "__main__":
    unittest.main()
