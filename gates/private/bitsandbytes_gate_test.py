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
