"""Tests for pip_lock_file.py."""

from __future__ import annotations

import os
import sys
import unittest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import pip_lock_file
from pypi.private.fake_pypi import LOCK
from rules_common.cli import UserError


class NamesTest(unittest.TestCase):
    def test_normalize(self) -> None:
        self.assertEqual(
            pip_lock_file.normalize_name("Typing_Extensions"), "typing-extensions"
        )
        self.assertEqual(pip_lock_file.normalize_name("a.-_b"), "a-b")
        self.assertEqual(
            pip_lock_file.normalize_name("nvidia-cuda-nvrtc-cu12"),
            "nvidia-cuda-nvrtc-cu12",
        )


class LockParsingTest(unittest.TestCase):
    def test_pip_compile_format(self) -> None:
        pins = pip_lock_file.parse_lock_text(LOCK)
        self.assertEqual(
            [(p.name, p.version) for p in pins],
            [
                ("tokenizers", "0.20.3"),
                ("torch", "2.5.1"),
                ("typing-extensions", "4.12.2"),
                ("pywin32", "306"),
            ],
        )
        self.assertEqual(len(pins[0].hashes), 2)
        self.assertEqual(pins[0].line, 9)
        self.assertEqual(pins[3].marker, 'sys_platform == "win32"')
        self.assertIsNone(pins[1].marker)

    def test_extras_and_inline_hash(self) -> None:
        pins = pip_lock_file.parse_lock_text(
            "uvicorn[standard]==0.32.1 --hash=sha256:" + "A" * 64 + "  # comment\n"
        )
        self.assertEqual((pins[0].name, pins[0].version), ("uvicorn", "0.32.1"))
        self.assertEqual(pins[0].hashes, ["a" * 64])

    def test_rejects_non_pins(self) -> None:
        for text in (
            "foo>=1.0\n",
            "-e ./local\n",
            "-r other.txt\n",
            "https://x/y.whl\n",
        ):
            with self.subTest(text=text), self.assertRaises(UserError):
                pip_lock_file.parse_lock_text(text)


if __name__ == "__main__":
    unittest.main()
