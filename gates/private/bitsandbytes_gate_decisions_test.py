"""bitsandbytes_gate's decisions and failing cases, without any stack: each judged
on facts given to it (the stack-independent half of bitsandbytes_gate_test.py)."""

from __future__ import annotations

import unittest

from gates.private.bitsandbytes_gate import (
    cuda_library_name,
    evaluate_bitsandbytes,
)

LIBRARIES = ["libbitsandbytes_cpu.so", "libbitsandbytes_cuda124.so"]


class DecisionTest(unittest.TestCase):
    def evaluate(self, **kwargs: object) -> list[str]:
        args: dict[str, object] = {
            "version": "0.45.0",
            "package_dir": "/sp/bitsandbytes",
            "library_files": LIBRARIES,
            "expected_version": "0.45.0",
            "expected_cuda": "12.4",
        }
        args.update(kwargs)
        return evaluate_bitsandbytes(**args)  # type: ignore[arg-type]

    def test_locked_install_passes_on_cpu(self) -> None:
        self.assertEqual(self.evaluate(), [])

    def test_absent(self) -> None:
        (problem,) = self.evaluate(
            version=None,
            package_dir=None,
            library_files=[],
            import_error="ModuleNotFoundError: No module named 'bitsandbytes'",
        )
        self.assertIn("bitsandbytes is not installed (ModuleNotFoundError", problem)
        self.assertIn("install bitsandbytes==0.45.0", problem)

    def test_broken_import(self) -> None:
        (problem,) = self.evaluate(import_error="RuntimeError: triton needs setuptools")
        self.assertIn("bitsandbytes does not import (RuntimeError: triton", problem)

    def test_wrong_version(self) -> None:
        (problem,) = self.evaluate(version="0.43.1")
        self.assertIn("bitsandbytes is 0.43.1, expected 0.45.0", problem)

    def test_no_cuda_124_library(self) -> None:
        (problem,) = self.evaluate(
            library_files=["libbitsandbytes_cpu.so", "libbitsandbytes_cuda121.so"]
        )
        self.assertIn("/sp/bitsandbytes has no libbitsandbytes_cuda124.so", problem)
        self.assertIn("libbitsandbytes_cuda121.so", problem)

    def test_cuda_library_does_not_load(self) -> None:
        (problem,) = self.evaluate(cuda_library_error="invalid ELF header")
        self.assertIn(
            "libbitsandbytes_cuda124.so does not load (invalid ELF header)", problem
        )

    def test_cuda_override(self) -> None:
        (problem,) = self.evaluate(cuda_override="121")
        self.assertIn("BNB_CUDA_VERSION=121 is set", problem)
        self.assertIn(
            "libbitsandbytes_cuda121.so instead of libbitsandbytes_cuda124.so", problem
        )

    def test_no_native_library(self) -> None:
        (problem,) = self.evaluate(native_loaded=False)
        self.assertIn("loaded no native library", problem)

    def test_gpu_visible_but_cpu_library(self) -> None:
        (problem,) = self.evaluate(cuda_available=True, compiled_with_cuda=False)
        self.assertIn(
            "a GPU is visible but bitsandbytes loaded its CPU library", problem
        )
        self.assertEqual(
            self.evaluate(cuda_available=True, compiled_with_cuda=True), []
        )

    def test_library_name(self) -> None:
        self.assertEqual(cuda_library_name("12.4"), "libbitsandbytes_cuda124.so")


if __name__ == "__main__":
    unittest.main()
