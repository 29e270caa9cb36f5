"""The test runs on the Python its target names, from that Python's own root.

EXPECTED_PYTHON_VERSION is the version the target selected (//python:defs.bzl);
EXPECTED_PYTHON_INFO is that interpreter repository's python.json.
"""

import json
import os
import subprocess
import sys
import sysconfig
import unittest


class PythonVersionTest(unittest.TestCase):
    def test_runs_on_the_selected_version(self) -> None:
        found = f"{sys.version_info[0]}.{sys.version_info[1]}"
        self.assertEqual(found, os.environ["EXPECTED_PYTHON_VERSION"], sys.version)

    def test_is_that_interpreter_repositorys_build(self) -> None:
        with open(os.environ["EXPECTED_PYTHON_INFO"], encoding="utf-8") as f:
            facts = json.load(f)
        self.assertEqual(sys.version.split()[0], facts["full_version"])
        # The stdlib is the repository's root, never the host's /usr/lib.
        stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
        self.assertNotEqual(os.path.dirname(stdlib), "/usr/lib", stdlib)
        self.assertTrue(stdlib.endswith("/usr/lib/python" + facts["version"]), stdlib)

    def test_never_writes_bytecode_into_its_root(self) -> None:
        # The wrapper (sys.executable) sets it, whatever the caller's
        # environment: a .pyc in the shared root changed every tool's
        # runfiles and re-ran most of a build.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        done = subprocess.run(
            [sys.executable, "-c", "import sys; print(sys.dont_write_bytecode)"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        self.assertEqual(done.stdout.strip(), "True", done.stderr)


if __name__ == "__main__":
    unittest.main()
