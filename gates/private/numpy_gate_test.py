"""numpy_gate: passes on the locked stack, fails (with the reason) on broken ones."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from collections.abc import Sequence
from pathlib import Path

from gates.private import gate_process, stack
from gates.private.installed import Dist
from gates.private.numpy_gate import (
    REQUIRED_IMPORTS,
    ImportGroup,
    ImportResult,
    check,
    check_imports,
    evaluate_imports,
    expected_version_from_lock,
    plan_imports,
    read_lock_names,
)

LOCKED = [Dist("numpy", "1.26.4", "/site-packages")]
ABI_WARNING = (
    "A module that was compiled using NumPy 1.x cannot be run in NumPy 2.1.0 as it "
    "may crash. To support both 1.x and 2.x versions of NumPy, modules must be "
    "compiled with NumPy 2.0."
)


def run_gate(
    module: str, *args: str, front: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` with ``front`` ahead of this process's path."""
    return gate_process.run_python(["-m", module, *args], front=front)


class TempModules(unittest.TestCase):
    """A temporary directory of fake modules, put on the path the probes use."""

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="numpy-gate-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.sys_path = [str(self.tmp), *sys.path]

    def module(self, name: str, source: str) -> str:
        (self.tmp / f"{name}.py").write_text(textwrap.dedent(source))
        return name


class RealEnvironmentTest(unittest.TestCase):
    def test_locked_stack_passes(self) -> None:
        problems = check()
        self.assertEqual(problems, [], "\n".join(problems))

    def test_plan_covers_the_compiled_stack(self) -> None:
        pinned = read_lock_names(stack.load().lock)
        plan = plan_imports(only=pinned)
        # Whatever the stack: every pinned distribution the gate must import
        # is planned (and pydantic-core, compiled, where it is pinned), none
        # it does not pin, never numpy itself.
        required = [name for name in REQUIRED_IMPORTS if name in pinned]
        for name in required + [n for n in ("pydantic-core",) if n in pinned]:
            self.assertIn(name, plan)
        self.assertTrue(plan, "nothing compiled to import besides numpy?")
        self.assertNotIn("numpy", plan)
        for name in set(REQUIRED_IMPORTS) - pinned:
            self.assertNotIn(name, plan, "imported, yet not in this stack's lock")
        if "scipy" in pinned:
            self.assertIn("scipy.linalg._fblas", plan["scipy"].extension_modules)
        # bitsandbytes 0.45.0 installs a top-level "tests" package: never import it.
        for group in plan.values():
            self.assertNotIn("tests", group.modules)


class LockTest(unittest.TestCase):
    """The stack's own lock: the version the gate expects, and a lock that disagrees."""

    def test_expected_version_from_argument_then_lock(self) -> None:
        self.assertEqual(expected_version_from_lock(), stack.load().version("numpy"))
        self.assertEqual(expected_version_from_lock("1.25.0"), "1.25.0")

    def test_a_lock_that_pins_another_numpy_fails_the_real_tree(self) -> None:
        lock = Path(tempfile.mkdtemp()) / "requirements_lock.txt"
        self.addCleanup(shutil.rmtree, lock.parent, True)
        text = Path(stack.load().lock).read_text(encoding="utf-8")
        pinned = stack.load().version("numpy")
        other = "1.26.3" if pinned != "1.26.3" else "1.26.2"
        lock.write_text(text.replace(f"\nnumpy=={pinned} ", f"\nnumpy=={other} "))
        done = run_gate("gates.private.numpy_gate", "--lock", str(lock), "--no-imports")
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn(f"but the lock pins numpy=={other}", done.stderr)


class BrokenNumpyOnPathTest(TempModules):
    """A fake NumPy 2.1.0 put first on PYTHONPATH: the CLI must fail and say why."""

    def test_fake_numpy_2_first_on_path(self) -> None:
        (self.tmp / "numpy").mkdir()
        (self.tmp / "numpy" / "__init__.py").write_text('__version__ = "2.1.0"\n')
        meta = self.tmp / "numpy-2.1.0.dist-info"
        meta.mkdir()
        (meta / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: numpy\nVersion: 2.1.0\n"
        )
        done = run_gate(
            "gates.private.numpy_gate", "--modules", "scipy", front=[str(self.tmp)]
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        for expected in (
            "numpy gate: FAILED",
            f"numpy 2.1.0 is imported from {self.tmp}, but the lock pins "
            f"numpy=={stack.load().version('numpy')}",
            # "2 ..." with the locked stack alone; more where the host adds its own.
            "numpy distributions on sys.path (numpy 2.1.0 in " + str(self.tmp),
            " sys.path entries (" + str(self.tmp) + ", ",
            "importing scipy failed: ",
        ):
            self.assertIn(expected, done.stderr)


class ImportSweepTest(TempModules):
    def test_abi_warning_on_import_fails(self) -> None:
        name = self.module(
            "compiled_for_numpy1",
            f"""
            import warnings
            warnings.warn({ABI_WARNING!r}, UserWarning)
            """,
        )
        (problem,) = check_imports({"fake-dist": [name]}, sys_path=self.sys_path)
        self.assertIn(
            "importing compiled_for_numpy1 (from fake-dist) hit a NumPy ABI", problem
        )
        self.assertIn("compiled using NumPy 1.x cannot be run in NumPy 2.1.0", problem)

    def test_numpy2_style_stderr_message_and_import_error_fails(self) -> None:
        # NumPy 2 prints the explanation to stderr, then the import raises.
        name = self.module(
            "old_extension",
            f"""
            import sys
            sys.stderr.write({ABI_WARNING!r} + "\\n")
            raise ImportError("numpy.core.multiarray failed to import")
            """,
        )
        (problem,) = check_imports({name: [name]}, sys_path=self.sys_path)
        self.assertIn("importing old_extension hit a NumPy ABI mismatch", problem)
        self.assertIn("cannot be run in NumPy 2.1.0", problem)

    def test_a_distribution_built_for_numpy_1_meets_the_installed_numpy(self) -> None:
        # A fake distribution with a compiled extension whose import does what
        # NumPy 1.x's import_array() does (numpy/core/include/numpy/
        # __multiarray_api.h): import numpy.core._multiarray_umath and read its
        # _ARRAY_API capsule. The REAL installed NumPy answers: NumPy 2 prints
        # "compiled using NumPy 1.x cannot be run in NumPy 2" and raises, which
        # must fail the sweep; NumPy 1.x serves the capsule, which must pass.
        import numpy

        package = self.tmp / "legacy_ext"
        package.mkdir()
        (package / "__init__.py").write_text(
            "import importlib\n"
            "_core = importlib.import_module('numpy.core._multiarray_umath')\n"
            "_ARRAY_API = getattr(_core, '_ARRAY_API')\n"
        )
        (package / "_ext.cpython-313-x86_64-linux-gnu.so").write_bytes(b"")
        info = self.tmp / "legacy_ext-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: legacy-ext\nVersion: 1.0\n"
        )
        (info / "RECORD").write_text(
            "legacy_ext/__init__.py,,\n"
            "legacy_ext/_ext.cpython-313-x86_64-linux-gnu.so,,\n"
            "legacy_ext-1.0.dist-info/METADATA,,\n"
            "legacy_ext-1.0.dist-info/RECORD,,\n"
        )
        plan = plan_imports([str(self.tmp)], only={"legacy-ext"})
        self.assertEqual(plan["legacy-ext"].modules, ["legacy_ext"])
        problems = check_imports(plan, sys_path=self.sys_path)
        if numpy.__version__.startswith("1."):
            self.assertEqual(problems, [], "NumPy 1.x serves a 1.x-built module")
        else:
            (problem,) = problems
            self.assertIn(
                "importing legacy_ext (from legacy-ext) hit a NumPy ABI", problem
            )
            self.assertIn("compiled using NumPy 1.x cannot be run in", problem)

    def test_dtype_size_changed_fails(self) -> None:
        name = self.module(
            "cython_ext",
            """
            import warnings
            warnings.warn(
                "numpy.dtype size changed, may indicate binary incompatibility. "
                "Expected 96 from C header, got 88 from PyObject",
                RuntimeWarning,
            )
            """,
        )
        (problem,) = check_imports({name: [name]}, sys_path=self.sys_path)
        self.assertIn("numpy.dtype size changed", problem)

    def test_unrelated_warnings_pass(self) -> None:
        name = self.module(
            "noisy",
            """
            import warnings
            warnings.warn("pkg_resources is deprecated as an API", DeprecationWarning)
            warnings.warn("TypedStorage is deprecated", UserWarning)
            warnings.warn("numpy is great", FutureWarning)
            """,
        )
        self.assertEqual(check_imports({name: [name]}, sys_path=self.sys_path), [])

    def test_import_error_fails_with_module_and_exception(self) -> None:
        name = self.module(
            "needs_lib",
            'raise ImportError("libgomp.so.1: cannot open shared object file")',
        )
        (problem,) = check_imports({name: [name]}, sys_path=self.sys_path)
        self.assertEqual(
            problem,
            "importing needs_lib failed: ImportError: libgomp.so.1: cannot open shared "
            "object file",
        )

    def test_each_group_gets_a_fresh_interpreter(self) -> None:
        poison = self.module("poison", "import sys\nsys.modules['json'] = None\n")
        user = self.module("uses_json", "import json\n")
        problems = check_imports(
            {"a": [poison], "b": [user]}, sys_path=self.sys_path, jobs=1
        )
        self.assertEqual(problems, [])
        # ... while in one interpreter the poison does reach the other module.
        (problem,) = check_imports({"ab": [poison, user]}, sys_path=self.sys_path)
        self.assertIn("importing uses_json (from ab) failed", problem)

    def test_crashing_import_fails(self) -> None:
        name = self.module("segfaults", "import os\nos._exit(139)\n")
        (problem,) = check_imports({name: [name]}, sys_path=self.sys_path)
        self.assertIn(
            "the interpreter died (exit status 139) before reporting", problem
        )

    def test_extension_modules_only_fail_on_abi_messages(self) -> None:
        circular = self.module(
            "circular_ext", 'raise ImportError("partially initialized")'
        )
        abi = self.module(
            "abi_ext",
            'raise ImportError("numpy.core.multiarray failed to import")',
        )
        group = ImportGroup(modules=[], extension_modules=[circular, abi])
        (problem,) = check_imports({"dist": group}, sys_path=self.sys_path)
        self.assertIn("importing abi_ext (from dist) hit a NumPy ABI mismatch", problem)

    def test_evaluate_imports(self) -> None:
        results = [
            ImportResult("torch", "torch"),
            ImportResult(
                "scipy", "scipy.linalg._x", "ImportError: circular", strict=False
            ),
            ImportResult("sklearn", "sklearn", "ValueError: boom"),
        ]
        self.assertEqual(
            evaluate_imports(results),
            ["importing sklearn failed: ValueError: boom"],
        )


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


if __name__ == "__main__":
    unittest.main()
