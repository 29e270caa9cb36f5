"""The image's /var/lib/dpkg/status.d lists exactly the Debian packages of its roots.

Env: IMAGE_LAYOUT (the image), DEBIAN_PACKAGES (space-separated runfiles paths
of the roots' packages.txt, from their locks), DPKG_QUERY (the independent
reader, a pinned sid dpkg-query). gates/private/dpkg_status_test.py shows each
check failing on a broken image.
"""

from __future__ import annotations

import os
import unittest

from gates.private import dpkg_status
from gates.private.image_under_test import runfile


class ImageDpkgStatusTest(unittest.TestCase):
    def test_status_d_lists_the_roots_packages(self) -> None:
        expected = dpkg_status.read_packages_files(
            [os.path.abspath(p) for p in os.environ["DEBIAN_PACKAGES"].split()]
        )
        self.assertGreater(len(expected), 5, "the roots list almost no package")
        entries = dpkg_status.read_status_entries(runfile("IMAGE_LAYOUT"))
        problems = dpkg_status.check(entries, expected, runfile("DPKG_QUERY"))
        self.assertEqual(problems, [], "\n".join(problems))


if __name__ == "__main__":
    unittest.main()
