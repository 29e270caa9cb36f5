"""torch_gate's decisions and failing cases, without any stack: each judged
on facts given to it (the stack-independent half of torch_gate_test.py)."""

from __future__ import annotations

import unittest

from gates.private.installed import Dist
from gates.private.torch_gate import evaluate_torch as _evaluate_torch

# What a lock pinning torch 2.5.1 for CUDA 12.4 gives (gates.private.stack
# derives these from a lock; the stack gates read the real one).
EXPECTED_TORCH_VERSION = "2.5.1+cu124"
EXPECTED_CUDA = "12.4"
ONE = [Dist("torch", EXPECTED_TORCH_VERSION, "/site-packages")]


def evaluate_torch(*args: object, **kwargs: object) -> list[str]:
    """evaluate_torch with those expectations unless a test gives its own."""
    kwargs.setdefault("expected_version", EXPECTED_TORCH_VERSION)
    kwargs.setdefault("expected_cuda", EXPECTED_CUDA)
    return _evaluate_torch(*args, **kwargs)  # type: ignore[arg-type]


class DecisionTest(unittest.TestCase):
    def test_expected_build_passes(self) -> None:
        self.assertEqual(evaluate_torch(EXPECTED_TORCH_VERSION, "12.4", ONE), [])

    def test_cu121_build(self) -> None:
        problems = evaluate_torch("2.5.1+cu121", "12.1", ONE)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn(
            "torch is 2.5.1+cu121, expected 2.5.1+cu124: "
            "built for another CUDA (cu121)",
            problems[0],
        )
        self.assertIn("torch.version.cuda is 12.1, expected 12.4", problems[1])
        self.assertIn("install torch==2.5.1 from requirements_lock.txt", problems[1])

    def test_cpu_build(self) -> None:
        problems = evaluate_torch("2.5.1+cpu", None, ONE)
        self.assertEqual(len(problems), 2, problems)
        self.assertIn(
            "torch is 2.5.1+cpu, expected 2.5.1+cu124: the CPU-only build", problems[0]
        )
        self.assertIn("torch.version.cuda is None, expected 12.4", problems[1])
        self.assertIn("no CUDA support", problems[1])

    def test_two_distributions(self) -> None:
        two = [*ONE, Dist("torch", "2.5.1+cu121", "/usr/lib/python3/dist-packages")]
        (problem,) = evaluate_torch(EXPECTED_TORCH_VERSION, "12.4", two)
        self.assertIn("2 torch distributions on sys.path", problem)
        self.assertIn("torch 2.5.1+cu121 in /usr/lib/python3/dist-packages", problem)
        self.assertIn("installed twice", problem)

    def test_no_distribution_metadata(self) -> None:
        (problem,) = evaluate_torch(EXPECTED_TORCH_VERSION, "12.4", [])
        self.assertIn("no torch-*.dist-info on sys.path", problem)

    def test_second_package_dir(self) -> None:
        (problem,) = evaluate_torch(
            EXPECTED_TORCH_VERSION, "12.4", ONE, package_dirs=["/a", "/b"]
        )
        self.assertIn("a torch/ package is on 2 sys.path entries (/a, /b)", problem)

    def test_cuda_library_missing(self) -> None:
        (problem,) = evaluate_torch(
            EXPECTED_TORCH_VERSION,
            "12.4",
            ONE,
            library_errors={"libcudnn.so.9": "not found under /sp/nvidia/*/lib"},
        )
        self.assertIn(
            "CUDA library libcudnn.so.9: not found under /sp/nvidia/*/lib", problem
        )
        self.assertIn("same site-packages as torch", problem)

    def test_import_failure(self) -> None:
        error = "ImportError: libcudart.so.12: cannot open shared object file"
        problems = evaluate_torch(None, None, ONE, import_error=error)
        self.assertEqual(len(problems), 1, problems)
        self.assertIn(f"import torch failed ({error})", problems[0])

    def test_c_extension_missing(self) -> None:
        (problem,) = evaluate_torch(
            EXPECTED_TORCH_VERSION, "12.4", ONE, c_extension_loaded=False
        )
        self.assertIn("torch._C is not loaded", problem)

    def test_expected_values_are_arguments(self) -> None:
        self.assertEqual(
            evaluate_torch(
                "2.5.1+cu121",
                "12.1",
                ONE,
                expected_version="2.5.1+cu121",
                expected_cuda="12.1",
            ),
            [],
        )


if __name__ == "__main__":
    unittest.main()
