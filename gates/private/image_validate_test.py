"""Every byte of the image, checked where it lies: no tarball, no copy.

Our verifier reads each layer blob once through the layout's links (sha256
against the manifest, size, diff_id, a tar that parses with each path once);
then crane (a pinned Debian .deb), an independent client, pulls the image
from a read-only registry on 127.0.0.1 that serves the layout in place
(`crane validate --fast`: manifest, config, every blob there with its size;
crane's full validation gunzips every layer, and ours are uncompressed).
//oci/private:layout_verify_test and :layout_registry_test show both
failing on damaged layouts.
"""

from __future__ import annotations

import subprocess
import unittest

from gates.private.image_under_test import runfile
from oci import layouts


class ImageValidateTest(unittest.TestCase):
    def test_every_layer_matches_its_digests(self) -> None:
        problems = layouts.verify(runfile("IMAGE_LAYOUT"), runfile("ZSTD"))
        self.assertEqual(problems, [], "\n".join(problems))

    def test_crane_pulls_the_image_as_a_registry_serves_it(self) -> None:
        with layouts.serving(runfile("IMAGE_LAYOUT")) as ref:
            result = subprocess.run(
                [runfile("CRANE"), "validate", "--fast", "--remote", ref],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("PASS", result.stdout)


if __name__ == "__main__":
    unittest.main()
