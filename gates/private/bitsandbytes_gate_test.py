"""bitsandbytes_gate: passes on the locked stack, fails (saying why) on broken ones."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unittest
from collections.abc import Sequence
from pathlib import Path

from gates.private import gate_process, stack
from gates.private.bitsandbytes_gate import (
    NO_GPU_MESSAGE,
    check,
    cuda_library_name,
    evaluate_bitsandbytes,
)

LIBRARIES = ["libbitsandbytes_cpu.so", "libbitsandbytes_cuda124.so"]


def run_python(
    code: str, front: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    return gate_process.run_python(
        ["-c", code], front=front, unset=["BNB_CUDA_VERSION"]
    )


class RealEnvironmentTest(unittest.TestCase):
    def test_locked_stack_passes(self) -> None:
        notes: list[str] = []
        problems = check(notes=notes)
        self.assertEqual(problems, [], "\n".join(problems))
        import torch

        if not torch.cuda.is_available():
            # The CPU fallback is announced, and is expected here.
            self.assertTrue(any(NO_GPU_MESSAGE in n for n in notes), notes)


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


class LockDisagreesTest(unittest.TestCase):
    def test_a_lock_that_pins_another_bitsandbytes_fails_the_real_tree(self) -> None:
        tmp = Path(tempfile.mkdtemp(prefix="bnb-gate-lock-"))
        self.addCleanup(shutil.rmtree, tmp, True)
        locked = stack.load()
        text = Path(locked.lock).read_text(encoding="utf-8")
        pin = f"\nbitsandbytes=={locked.version('bitsandbytes')} "
        self.assertIn(pin, text)
        (tmp / "requirements_lock.txt").write_text(
            text.replace(pin, "\nbitsandbytes==0.44.1 ")
        )
        done = run_python(
            "import sys\n"
            "from gates.private.bitsandbytes_gate import main\n"
            f"sys.exit(main(['--lock', {str(tmp / 'requirements_lock.txt')!r}]))\n"
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn(
            f"bitsandbytes is {locked.version('bitsandbytes')}, expected 0.44.1",
            done.stderr,
        )


class BrokenEnvironmentTest(unittest.TestCase):
    def test_absent_package_fails_the_cli(self) -> None:
        done = run_python(
            "import sys\n"
            "sys.modules['bitsandbytes'] = None  # as if it were not installed\n"
            "from gates.private.bitsandbytes_gate import main\n"
            "sys.exit(main([]))\n"
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("bitsandbytes gate: FAILED", done.stderr)
        self.assertIn("bitsandbytes is not installed (ModuleNotFoundError", done.stderr)

    def test_stale_copy_first_on_path_fails_the_cli(self) -> None:
        tmp = Path(tempfile.mkdtemp(prefix="bnb-gate-"))
        self.addCleanup(shutil.rmtree, tmp, True)
        (tmp / "bitsandbytes").mkdir()
        (tmp / "bitsandbytes" / "__init__.py").write_text('__version__ = "0.42.0"\n')
        (tmp / "bitsandbytes" / "cextension.py").write_text("lib = None\n")
        (tmp / "bitsandbytes" / "libbitsandbytes_cuda121.so").write_bytes(b"")
        done = run_python(
            "import sys\n"
            "from gates.private.bitsandbytes_gate import main\n"
            "sys.exit(main([]))\n",
            front=[str(tmp)],
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        for expected in (
            "bitsandbytes is 0.42.0, expected 0.45.0",
            f"{tmp}/bitsandbytes has no libbitsandbytes_cuda124.so "
            "(it has: libbitsandbytes_cuda121.so)",
            "loaded no native library",
        ):
            self.assertIn(expected, done.stderr)


if __name__ == "__main__":
    unittest.main()
