"""`bazel run` of an oci_load streams the archive to its loader file."""

from __future__ import annotations

import os
import subprocess
import unittest


class LoaderTest(unittest.TestCase):
    def test_the_loader_gets_the_archive_as_a_path(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        done = subprocess.run(
            [os.path.abspath(os.environ["LOAD"])],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stdout, r"^archive of [1-9][0-9]* bytes$")


if __name__ == "__main__":
    unittest.main()
