"""Tests for markers.py."""

from __future__ import annotations

import os
import sys
import unittest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import markers


class MarkerTest(unittest.TestCase):
    def check(self, marker: str, expected: bool) -> None:
        with self.subTest(marker=marker):
            self.assertIs(
                markers.evaluate_marker(marker, markers.TARGET_ENVIRONMENT),
                expected,
            )

    def test_markers(self) -> None:
        self.check('sys_platform == "win32"', False)
        self.check('sys_platform == "linux"', True)
        self.check("platform_system == 'Linux' and platform_machine == 'x86_64'", True)
        self.check('python_version < "3.12"', True)
        self.check('python_version >= "3.12"', False)
        self.check('python_version >= "3.9"', True)  # numeric, not string, comparison
        self.check('python_full_version ~= "3.11.0"', True)
        self.check('python_version == "3.*"', True)
        self.check('(os_name == "nt" or os_name == "posix") and extra == ""', True)
        self.check('"linux" in sys_platform', True)
        self.check('platform_machine not in "arm64 aarch64"', True)
        self.check('platform_python_implementation != "PyPy"', True)
        self.check('os.name == "posix"', True)
        self.check('extra == "test"', False)
        for bad in (
            'foo == "1"',
            "python_version <",
            '(sys_platform == "linux"',
            "1 == 1",
        ):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                markers.evaluate_marker(bad, markers.TARGET_ENVIRONMENT)


if __name__ == "__main__":
    unittest.main()
