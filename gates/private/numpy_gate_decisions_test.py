"""numpy_gate's decisions on given facts, without any stack (the stack-independent
half of numpy_gate_test.py: versions, distributions, import failures, lock names)."""

from __future__ import annotations

import shutil
import tempfile
import unittest
from pathlib import Path

from gates.private.installed import Dist
from gates.private.numpy_gate import (
    evaluate_numpy,
    read_lock_names,
    top_level_modules,
)

LOCKED = [Dist("numpy", "1.26.4", "/site-packages")]


class VersionDecisionTest(unittest.TestCase):
    def test_locked_version_passes(self) -> None:
        self.assertEqual(evaluate_numpy("1.26.4", LOCKED, "1.26.4"), [])

    def test_numpy_2_reported_as_installed(self) -> None:
        problems = evaluate_numpy(
            "2.1.0", [Dist("numpy", "2.1.0", "/sp")], "1.26.4", location="/sp"
        )
        self.assertEqual(len(problems), 2, problems)
        self.assertIn(
            "numpy 2.1.0 is imported from /sp, but the lock pins numpy==1.26.4",
            problems[0],
        )
        self.assertIn("NumPy 2.x: modules compiled for NumPy 1.x", problems[0])
        self.assertIn("the numpy distribution in /sp is 2.1.0", problems[1])

    def test_two_distributions(self) -> None:
        two = [
            *LOCKED,
            Dist("numpy", "2.1.0", "/usr/local/lib/python3.11/site-packages"),
        ]
        (problem,) = evaluate_numpy("1.26.4", two, "1.26.4")
        self.assertIn("2 numpy distributions on sys.path", problem)
        self.assertIn("numpy 2.1.0 in /usr/local/lib/python3.11/site-packages", problem)

    def test_import_failure(self) -> None:
        (problem,) = evaluate_numpy(
            None, LOCKED, "1.26.4", import_error="ImportError: libopenblas missing"
        )
        self.assertIn("import numpy failed (ImportError: libopenblas missing)", problem)

    def test_read_lock_names(self) -> None:
        lock = Path(tempfile.mkdtemp()) / "requirements_lock.txt"
        self.addCleanup(shutil.rmtree, lock.parent, True)
        lock.write_text(
            "# comment\nnumpy==1.26.4 \\\n    --hash=sha256:abc\n"
            "Scikit_Learn==1.9.1 \\\n    --hash=sha256:def\n# via torch\n"
        )
        self.assertEqual(read_lock_names(str(lock)), {"numpy", "scikit-learn"})

    def test_top_level_modules(self) -> None:
        record = [
            "torch/__init__.py",
            "torch/_C.cpython-311-x86_64-linux-gnu.so",
            "functorch/__init__.py",
            "tests/__init__.py",
            "six.py",
            "_cffi_backend.cpython-311-x86_64-linux-gnu.so",
            "numpy.libs/libopenblas.so",
            "torch-2.5.1.dist-info/RECORD",
            "../../bin/torchrun",
        ]
        self.assertEqual(
            top_level_modules(record), ["torch", "functorch", "six", "_cffi_backend"]
        )


if __name__ == "__main__":
    unittest.main()
