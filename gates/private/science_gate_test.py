"""science_gate: passes on the locked stack, fails (with the reason) on broken ones."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import textwrap
import unittest
from pathlib import Path

from gates.private import gate_process, stack
from gates.private.science_gate import check

LOCKED = stack.load()


def run_gate(
    *args: str, front: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return gate_process.run_python(
        ["-m", "gates.private.science_gate", *args], front=front
    )


class Fakes(unittest.TestCase):
    """A directory of fake packages put first on a child interpreter's path."""

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="science-gate-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def package(self, name: str, files: dict[str, str]) -> None:
        for path, source in files.items():
            target = self.tmp / name / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(source))

    def lock(self, text: str) -> str:
        path = self.tmp / "requirements_lock.txt"
        path.write_text(text)
        return str(path)

    def assert_fails_with(
        self, done: subprocess.CompletedProcess[str], *texts: str
    ) -> None:
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("science gate: FAILED", done.stderr)
        for text in texts:
            self.assertIn(text, done.stderr)


class RealStackTest(unittest.TestCase):
    def test_locked_stack_passes(self) -> None:
        problems = check()
        self.assertEqual(problems, [], "\n".join(problems))

    def test_cli_passes(self) -> None:
        done = run_gate()
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("science gate: OK", done.stdout)


class BrokenStackTest(Fakes):
    def test_scipy_without_sph_legendre_p(self) -> None:
        # What SciPy before 1.15 is: the function is simply not there.
        pin = LOCKED.version("scipy")
        self.package(
            "scipy",
            {
                "__init__.py": f"__version__ = {pin!r}\n",
                "special/__init__.py": "def sph_harm(*a): raise NotImplementedError\n",
            },
        )
        done = run_gate(front=(str(self.tmp),))
        self.assert_fails_with(done, "has no scipy.special.sph_legendre_p")

    def test_sph_legendre_p_computing_wrong_values(self) -> None:
        # A SciPy built for NumPy 1.x meeting NumPy 2.x: the ufunc answers,
        # wrongly (here: without the normalisation).
        pin = LOCKED.version("scipy")
        self.package(
            "scipy",
            {
                "__init__.py": f"__version__ = {pin!r}\n",
                "special/__init__.py": """
                    import numpy as np
                    def sph_legendre_p(n, m, theta):
                        shape = np.broadcast(n, m, theta).shape
                        return (np.cos(theta) * np.ones(shape))[np.newaxis]
                """,
            },
        )
        done = run_gate(front=(str(self.tmp),))
        self.assert_fails_with(
            done, "scipy.special.sph_legendre_p(0, 0, theta) computed"
        )

    def test_opencv_that_needs_libgl(self) -> None:
        # opencv-python (not -headless) in an image without X11 libraries.
        self.package(
            "cv2",
            {
                "__init__.py": 'raise ImportError("libGL.so.1: cannot open shared '
                'object file: No such file or directory")\n'
            },
        )
        done = run_gate(front=(str(self.tmp),))
        self.assert_fails_with(
            done, "import cv2 (opencv-python-headless) failed: ImportError: libGL.so.1"
        )

    def test_another_pandas_than_the_lock_pins(self) -> None:
        self.package("pandas", {"__init__.py": '__version__ = "2.1.4"\n'})
        done = run_gate(front=(str(self.tmp),))
        self.assert_fails_with(
            done,
            f"pandas 2.1.4 is imported from {self.tmp}/pandas, but the lock pins "
            f"pandas=={LOCKED.version('pandas')}",
        )

    def test_a_lock_pinning_another_scikit_image_fails_the_real_tree(self) -> None:
        text = Path(LOCKED.lock).read_text(encoding="utf-8")
        text = re.sub(r"^scikit-image==\S+", "scikit-image==0.24.0", text, flags=re.M)
        done = run_gate("--lock", self.lock(text))
        self.assert_fails_with(done, "but the lock pins scikit-image==0.24.0")

    def test_a_lock_without_pandas_says_so(self) -> None:
        text = Path(LOCKED.lock).read_text(encoding="utf-8")
        # The pin and its hash lines.
        text = re.sub(r"^pandas==.*\n(    .*\n)*", "", text, flags=re.M)
        done = run_gate("--lock", self.lock(text))
        self.assert_fails_with(done, "pins no pandas: this gate needs it")


if __name__ == "__main__":
    unittest.main()
