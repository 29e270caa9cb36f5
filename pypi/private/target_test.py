"""Tests for target.py: markers and wheel selection for the fixed target."""

from __future__ import annotations

import os
import sys
import unittest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import target
from pypi.private.fake_pypi import TARGET, wheel_file, write_facts
from pypi.private.target import Target


class MarkerTest(unittest.TestCase):
    def check(self, marker: str, expected: bool) -> None:
        with self.subTest(marker=marker):
            self.assertIs(TARGET.marker_applies(marker), expected)

    def test_markers(self) -> None:
        self.check('sys_platform == "win32"', False)
        self.check('sys_platform == "linux"', True)
        self.check("platform_system == 'Linux' and platform_machine == 'x86_64'", True)
        self.check('python_version < "3.12"', True)
        self.check('python_version >= "3.12"', False)
        self.check('python_version >= "3.9"', True)  # numeric, not string, comparison
        self.check('python_full_version ~= "3.11.0"', True)
        self.check('python_version == "3.*"', True)
        self.check('(os_name == "nt" or os_name == "posix") and extra == ""', True)
        self.check('"linux" in sys_platform', True)
        self.check('platform_machine not in "arm64 aarch64"', True)
        self.check('platform_python_implementation != "PyPy"', True)
        self.check('extra == "test"', False)
        for bad in (
            'foo == "1"',
            "python_version <",
            '(sys_platform == "linux"',
        ):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                TARGET.marker_applies(bad)


class FactsTest(unittest.TestCase):
    def test_from_facts(self) -> None:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            self.assertEqual(Target.from_facts(write_facts(tmp)), TARGET)
        self.assertEqual(TARGET.python_tag, "cp311")
        self.assertEqual(TARGET.platform, "manylinux_2_36_x86_64")

    def test_another_interpreter_is_another_target(self) -> None:
        trixie = Target((3, 13), "3.13.5", (2, 41))
        self.assertTrue(trixie.marker_applies('python_version >= "3.12"'))
        picked = trixie.select_wheel(
            [
                wheel_file("x-1-cp311-cp311-manylinux_2_17_x86_64.whl"),
                wheel_file("x-1-cp313-cp313-manylinux_2_41_x86_64.whl"),
            ]
        )
        assert picked is not None
        self.assertEqual(
            picked["filename"], "x-1-cp313-cp313-manylinux_2_41_x86_64.whl"
        )
        self.assertIsNone(
            TARGET.wheel_rank("x-1-cp313-cp313-manylinux_2_17_x86_64.whl")
        )

    def test_an_arm64_interpreter_takes_aarch64_wheels(self) -> None:
        import json
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = write_facts(tmp)
            with open(path) as f:
                facts = json.load(f)
            with open(path, "w") as f:
                json.dump({**facts, "machine": "aarch64"}, f)
            arm64 = Target.from_facts(path)
            with open(path, "w") as f:
                json.dump({**facts, "machine": "sparc"}, f)
            with self.assertRaisesRegex(target.UserError, "machine 'sparc'"):
                Target.from_facts(path)
        self.assertEqual(arm64.platform, "manylinux_2_36_aarch64")
        self.assertTrue(arm64.marker_applies('platform_machine == "aarch64"'))
        self.assertFalse(arm64.marker_applies('platform_machine == "x86_64"'))
        files = [
            wheel_file("x-1-cp311-cp311-manylinux_2_17_x86_64.whl"),
            wheel_file(
                "x-1-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"
            ),
            wheel_file("x-1-py3-none-any.whl"),
        ]
        picked = arm64.select_wheel(files)
        assert picked is not None
        self.assertIn("aarch64", picked["filename"])
        self.assertIsNone(arm64.wheel_rank("x-1-cp311-cp311-manylinux_2_17_x86_64.whl"))
        self.assertIsNotNone(
            TARGET.wheel_rank("x-1-cp311-cp311-manylinux_2_17_x86_64.whl")
        )


class NamesTest(unittest.TestCase):
    def test_wheel_name(self) -> None:
        name, version = target.wheel_name(
            "foo_bar-1.0-2b-py2.py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        )
        self.assertEqual((name, str(version)), ("foo-bar", "1.0"))
        for bad in ("foo-1.0.tar.gz", "foo-1.0-x-py3-none-any.whl"):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                target.wheel_name(bad)


class SelectionTest(unittest.TestCase):
    def pick(self, *filenames: str) -> str | None:
        chosen = TARGET.select_wheel([wheel_file(f) for f in filenames])
        return None if chosen is None else chosen["filename"]

    def test_prefers_most_specific(self) -> None:
        files = [
            "x-1-py3-none-any.whl",
            "x-1-cp38-abi3-manylinux_2_28_x86_64.whl",
            "x-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "x-1-cp311-cp311-manylinux_2_28_x86_64.whl",
        ]
        self.assertEqual(self.pick(*files), "x-1-cp311-cp311-manylinux_2_28_x86_64.whl")
        self.assertEqual(self.pick(*files[:3]), files[2])
        self.assertEqual(self.pick(*files[:2]), files[1])
        self.assertEqual(self.pick(files[0]), files[0])

    def test_abi3_order(self) -> None:
        self.assertEqual(
            self.pick(
                "x-1-cp37-abi3-manylinux1_x86_64.whl",
                "x-1-cp39-abi3-manylinux1_x86_64.whl",
            ),
            "x-1-cp39-abi3-manylinux1_x86_64.whl",
        )
        self.assertIsNone(self.pick("x-1-cp312-abi3-manylinux1_x86_64.whl"))

    def test_rejected(self) -> None:
        self.assertIsNone(
            self.pick(
                "x-1-cp311-cp311-linux_x86_64.whl",
                "x-1-cp311-cp311-manylinux_2_39_x86_64.whl",
                "x-1-cp311-cp311-musllinux_1_1_x86_64.whl",
                "x-1-cp311-cp311-manylinux_2_17_aarch64.whl",
                "x-1-cp310-cp310-manylinux_2_17_x86_64.whl",
                "x-1-cp312-cp312-manylinux_2_17_x86_64.whl",
                "x-1-py2-none-any.whl",
                "x-1-cp311-cp311-win_amd64.whl",
                "x-1.tar.gz",
            )
        )

    def test_accepted(self) -> None:
        for name in (
            "x-1-cp311-cp311-manylinux_2_36_x86_64.whl",
            "x-1-cp311-cp311-manylinux2010_x86_64.whl",
            "x-1-cp311-abi3-manylinux_2_5_x86_64.whl",
            "x-1-py311-none-any.whl",
            "x-1-py2.py3-none-any.whl",
            "x-1-py3-none-manylinux1_x86_64.whl",
            "x-1-cp311-none-any.whl",
        ):
            with self.subTest(name=name):
                self.assertEqual(self.pick(name), name)

    def test_build_tag_breaks_ties(self) -> None:
        self.assertEqual(
            self.pick(
                "x-1-1-py3-none-any.whl",
                "x-1-2-py3-none-any.whl",
                "x-1-py3-none-any.whl",
            ),
            "x-1-2-py3-none-any.whl",
        )


if __name__ == "__main__":
    unittest.main()
