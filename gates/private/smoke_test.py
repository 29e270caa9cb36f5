"""Smoke gate: the stack's hermetic interpreter imports its locked numpy.

Every expected version comes from the stack's lock (REQUIREMENTS_LOCK); the
stack's own gates (torch, science, ...) check the rest.
"""

import os
import sys
import unittest

import numpy

from gates.private import library_origins, stack

LOCKED = stack.load()


class SmokeTest(unittest.TestCase):
    def test_python_is_the_toolchains(self) -> None:
        expected = os.environ["EXPECTED_PYTHON_VERSION"]
        found = f"{sys.version_info[0]}.{sys.version_info[1]}"
        self.assertEqual(found, expected, sys.version)

    def test_numpy_is_the_locked_version(self) -> None:
        self.assertEqual(numpy.__version__, LOCKED.version("numpy"))

    def test_no_library_comes_from_outside_the_interpreter_root(self) -> None:
        # The interpreter runs with its root's loader and libraries; a library
        # the root lacks would be found in the host's /usr/lib instead.
        # (library_origins_test shows this check failing on a host library.)
        usr = os.path.dirname(
            os.path.dirname(os.path.dirname(os.path.realpath(os.__file__)))
        )
        site = os.path.dirname(os.path.dirname(os.path.realpath(numpy.__file__)))
        problems = library_origins.outside(
            library_origins.own_libraries(), [os.path.dirname(usr), site]
        )
        self.assertEqual(problems, [], "\n".join(problems))


if __name__ == "__main__":
    unittest.main()
