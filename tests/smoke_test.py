"""Smoke gate: the hermetic interpreter imports the locked CUDA torch and numpy.

Every expected version comes from the stack's lock (REQUIREMENTS_LOCK).
"""

import os
import sys
import unittest

import numpy
import torch
from gates import library_origins, stack

LOCKED = stack.load()


class SmokeTest(unittest.TestCase):
    def test_python_is_the_toolchains(self) -> None:
        expected = os.environ["EXPECTED_PYTHON_VERSION"]
        found = f"{sys.version_info[0]}.{sys.version_info[1]}"
        self.assertEqual(found, expected, sys.version)

    def test_torch_is_the_cuda_12_4_build(self) -> None:
        self.assertEqual(torch.__version__, LOCKED.torch_version)
        self.assertEqual(torch.version.cuda, LOCKED.cuda)

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

    def test_from_numpy_round_trip(self) -> None:
        array = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
        tensor = torch.from_numpy(array)
        tensor.mul_(2)  # shares memory with the array
        self.assertEqual(float(array[1, 2]), 10.0)
        back = (tensor + 1).numpy()
        self.assertEqual(back.dtype, numpy.float32)
        numpy.testing.assert_array_equal(back, array + 1)


if __name__ == "__main__":
    unittest.main()
