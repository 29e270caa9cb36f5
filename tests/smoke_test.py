"""Smoke gate: the hermetic interpreter imports the locked CUDA 12.4 torch and numpy."""

import os
import sys
import unittest

import numpy
import torch
from gates import library_origins

EXPECTED_TORCH = "2.5.1+cu124"
EXPECTED_CUDA = "12.4"
EXPECTED_NUMPY = "1.26.4"


class SmokeTest(unittest.TestCase):
    def test_python_is_the_pinned_3_11(self) -> None:
        self.assertEqual(sys.version_info[:2], (3, 11), sys.version)

    def test_torch_is_the_cuda_12_4_build(self) -> None:
        self.assertEqual(torch.__version__, EXPECTED_TORCH)
        self.assertEqual(torch.version.cuda, EXPECTED_CUDA)

    def test_numpy_is_the_locked_version(self) -> None:
        self.assertEqual(numpy.__version__, EXPECTED_NUMPY)

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
