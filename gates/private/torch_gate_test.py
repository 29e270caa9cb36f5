"""torch_gate: passes on the locked stack, fails (with the reason) on broken ones."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import unittest
from collections.abc import Sequence
from pathlib import Path

from gates.private import gate_process, stack
from gates.private.installed import Dist, find_distributions, find_package_dirs
from gates.private.torch_gate import check, load_cuda_libraries
from gates.private.torch_gate import evaluate_torch as _evaluate_torch

# What the gate expects, read from the stack's lock as the gate reads it.
LOCKED = stack.load()
EXPECTED_TORCH_VERSION = LOCKED.torch_version
CUDA_LIBRARIES = LOCKED.cuda_libraries
ONE = [Dist("torch", EXPECTED_TORCH_VERSION, "/site-packages")]


def evaluate_torch(*args: object, **kwargs: object) -> list[str]:
    """evaluate_torch with the lock's expectations unless a test gives its own."""
    kwargs.setdefault("expected_version", LOCKED.torch_version)
    kwargs.setdefault("expected_cuda", LOCKED.cuda)
    return _evaluate_torch(*args, **kwargs)  # type: ignore[arg-type]


def lock_with(tmp: Path, **pins: str) -> str:
    """A copy of the stack's lock with some pins changed (names with `_`)."""
    text = Path(LOCKED.lock).read_text(encoding="utf-8")
    for name, version in pins.items():
        name = name.replace("_", "-")
        text, count = re.subn(
            rf"^{re.escape(name)}==\S+", f"{name}=={version}", text, flags=re.M
        )
        assert count == 1, name
    path = tmp / "requirements_lock.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run_gate(
    module: str, *args: str, front: Sequence[str] = (), back: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` with extra path entries before/after this one's."""
    return gate_process.run_python(["-m", module, *args], front=front, back=back)


def fake_torch(root: Path, version: str, cuda: str | None) -> None:
    """A ``torch/`` package and its dist-info claiming ``version``, without ``_C``."""
    (root / "torch").mkdir()
    (root / "torch" / "__init__.py").write_text(
        f"__version__ = {version!r}\nclass version:\n    cuda = {cuda!r}\n"
    )
    meta = root / f"torch-{version}.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n"
    )


class SmokeTest(unittest.TestCase):
    """The hermetic interpreter imports the locked CUDA torch, and it shares
    memory with the locked numpy."""

    def test_torch_is_the_locked_cuda_build(self) -> None:
        import torch

        self.assertEqual(torch.__version__, LOCKED.torch_version)
        self.assertEqual(torch.version.cuda, LOCKED.cuda)

    def test_from_numpy_round_trip(self) -> None:
        import numpy
        import torch

        array = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
        tensor = torch.from_numpy(array)
        tensor.mul_(2)  # shares memory with the array
        self.assertEqual(float(array[1, 2]), 10.0)
        back = (tensor + 1).numpy()
        self.assertEqual(back.dtype, numpy.float32)
        numpy.testing.assert_array_equal(back, array + 1)


class RealEnvironmentTest(unittest.TestCase):
    def test_locked_stack_passes(self) -> None:
        problems = check()
        self.assertEqual(problems, [], "\n".join(problems))

    def test_cuda_libraries_come_from_the_lock(self) -> None:
        self.assertEqual(
            CUDA_LIBRARIES, ("libcudart.so.12", "libcublas.so.12", "libcudnn.so.9")
        )

    def test_expectations_come_from_the_lock(self) -> None:
        self.assertEqual(LOCKED.version("torch"), EXPECTED_TORCH_VERSION.split("+")[0])
        self.assertRegex(LOCKED.cuda, r"^\d+\.\d+$")


class LockDisagreesTest(unittest.TestCase):
    """The real tree against a lock that pins something else: the gate fails."""

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="torch-gate-lock-"))
        self.addCleanup(_rmtree, self.tmp)

    def test_another_torch_pin(self) -> None:
        lock = lock_with(self.tmp, torch="2.4.1")
        done = run_gate("gates.private.torch_gate", "--lock", lock)
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn(f"expected 2.4.1+cu{LOCKED.cuda.replace('.', '')}", done.stderr)

    def test_another_cuda_runtime(self) -> None:
        lock = lock_with(self.tmp, nvidia_cuda_runtime_cu12="12.1.105")
        done = run_gate("gates.private.torch_gate", "--lock", lock)
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("torch.version.cuda is 12.4, expected 12.1", done.stderr)

    def test_no_lock_is_a_failure_that_says_so(self) -> None:
        done = gate_process.run_python(
            ["-m", "gates.private.torch_gate"], unset=[stack.LOCK_ENV]
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("no lock to read expectations from", done.stderr)


class BrokenEnvironmentTest(unittest.TestCase):
    """Real directories on a real path, not just facts passed in."""

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="torch-gate-"))
        self.addCleanup(_rmtree, self.tmp)

    def test_second_install_is_found(self) -> None:
        fake_torch(self.tmp, "2.5.1+cu121", "12.1")
        paths = [*sys.path, str(self.tmp)]
        dists = find_distributions("torch", paths)
        self.assertEqual([d.version for d in dists][-1], "2.5.1+cu121")
        problems = evaluate_torch(
            EXPECTED_TORCH_VERSION,
            "12.4",
            dists,
            package_dirs=find_package_dirs("torch", paths),
        )
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("2 torch distributions", problems[0])
        self.assertIn(f"torch 2.5.1+cu121 in {self.tmp}", problems[0])
        self.assertIn(f"{self.tmp})", problems[1])

    def test_libraries_outside_torch_entry(self) -> None:
        loaded, errors = load_cuda_libraries(CUDA_LIBRARIES, str(self.tmp), sys.path)
        self.assertEqual(loaded, {})
        self.assertEqual(sorted(errors), sorted(CUDA_LIBRARIES))
        self.assertIn(
            f"not found under {self.tmp}/nvidia/*/lib", errors["libcudart.so.12"]
        )
        self.assertIn("which torch's RPATH does not reach", errors["libcudart.so.12"])

    def test_cpu_torch_shadowing_the_locked_one_fails_the_cli(self) -> None:
        fake_torch(self.tmp, "2.5.1+cpu", None)
        done = run_gate("gates.private.torch_gate", front=[str(self.tmp)])
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        for expected in (
            "torch gate: FAILED",
            "torch is 2.5.1+cpu, expected 2.5.1+cu124: the CPU-only build",
            "torch.version.cuda is None",
            "torch._C is not loaded",
            "2 torch distributions on sys.path",
            f"a torch/ package is on 2 sys.path entries ({self.tmp}",
            f"CUDA library libcudart.so.12: not found under {self.tmp}/nvidia/*/lib",
        ):
            self.assertIn(expected, done.stderr)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
