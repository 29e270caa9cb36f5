"""stack_version_problems: what image_runtime_test says of an image whose Python
or numpy is not its stack's."""

from __future__ import annotations

import subprocess
import unittest

from gates.private import image_under_test
from gates.private.image_under_test import stack_version_problems


def done(
    stdout: str, returncode: int = 0, stderr: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess([], returncode, stdout, stderr)


class StackVersionTest(unittest.TestCase):
    def test_the_stacks_versions_pass(self) -> None:
        self.assertEqual(
            stack_version_problems(
                done("Python 3.13.5\n"), done("2.5.5\n"), "3.13.5", "2.5.5"
            ),
            [],
        )

    def test_another_python(self) -> None:
        (problem,) = stack_version_problems(
            done("Python 3.11.2\n"), done("2.5.5\n"), "3.13.5", "2.5.5"
        )
        self.assertIn("says 'Python 3.11.2'", problem)
        self.assertIn("the stack's interpreter is 3.13.5", problem)

    def test_numpy_1_where_the_lock_pins_2(self) -> None:
        (problem,) = stack_version_problems(
            done("Python 3.13.5\n"), done("1.26.4\n"), "3.13.5", "2.5.5"
        )
        self.assertEqual(problem, "numpy in the image is 1.26.4, the lock pins 2.5.5")

    def test_no_numpy_or_no_python(self) -> None:
        problems = stack_version_problems(
            done("", 127),
            done("", 1, "ModuleNotFoundError: No module named 'numpy'"),
            "3.13.5",
            "2.5.5",
        )
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("(exit 127)", problems[0])
        self.assertIn("No module named 'numpy'", problems[1])


class LoaderCommandTest(unittest.TestCase):
    def test_the_image_loader_runs_directly_on_its_own_cpu(self) -> None:
        command = image_under_test.loader_command("/r", "amd64", None, "x86_64")
        self.assertEqual(
            command,
            [
                "/r/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                "--library-path",
                "/r/lib/x86_64-linux-gnu:/r/usr/lib/x86_64-linux-gnu",
            ],
        )

    def test_another_cpu_runs_under_the_emulator(self) -> None:
        command = image_under_test.loader_command("/r", "arm64", "/q", "x86_64")
        self.assertEqual(command[:3], ["/q", "-L", "/r"])
        self.assertEqual(command[3], "/r/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1")
        # On an arm64 machine the same image needs no emulator.
        native = image_under_test.loader_command("/r", "arm64", None, "aarch64")
        self.assertEqual(native[0], "/r/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1")

    def test_no_emulator_or_an_unknown_cpu_fail(self) -> None:
        with self.assertRaisesRegex(RuntimeError, "give the gates an emulator"):
            image_under_test.loader_command("/r", "arm64", None, "x86_64")
        with self.assertRaisesRegex(RuntimeError, "'s390x'"):
            image_under_test.loader_command("/r", "s390x", "/q", "x86_64")


if __name__ == "__main__":
    unittest.main()
