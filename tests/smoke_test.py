"""Smoke gate: the hermetic interpreter imports the locked CUDA 12.4 torch and numpy."""

import os
import sys
import unittest

import numpy
import torch

EXPECTED_TORCH = "2.5.1+cu124"
EXPECTED_CUDA = "12.4"
EXPECTED_NUMPY = "1.26.4"


def _mapped_libraries() -> set[str]:
    with open("/proc/self/maps", encoding="utf-8") as maps:
        return {
            os.path.realpath(line.split(None, 5)[5].strip())
            for line in maps
            if len(line.split(None, 5)) == 6 and ".so" in line
        }


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
        usr = os.path.dirname(
            os.path.dirname(os.path.dirname(os.path.realpath(os.__file__)))
        )
        allowed = (
            os.path.dirname(usr) + "/",  # the interpreter's root
            os.path.dirname(os.path.dirname(os.path.realpath(numpy.__file__)))
            + "/",  # site-packages
        )
        outside = sorted(
            path for path in _mapped_libraries() if not path.startswith(allowed)
        )
        self.assertEqual(
            outside, [], "shared libraries loaded from outside the hermetic root"
        )

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
