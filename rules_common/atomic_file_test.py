"""Outputs appear whole or not at all (rules_common.atomic_file)."""

from __future__ import annotations

import os
import tempfile
import unittest
from unittest import mock

from rules_common import atomic_file


class WriteTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.name

    def test_write_text_replaces_and_sets_mode(self) -> None:
        path = os.path.join(self.dir, "lock.json")
        atomic_file.write_text(path, "one\n")
        atomic_file.write_text(path, "two\n")
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), "two\n")
        self.assertEqual(os.listdir(self.dir), ["lock.json"])
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o644)

    def test_missing_parents_are_made(self) -> None:
        path = os.path.join(self.dir, "a", "b", "out.bin")
        atomic_file.write_bytes(path, b"x", mode=0o600, mtime=315532800)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertEqual(int(os.stat(path).st_mtime), 315532800)

    def test_failure_leaves_nothing(self) -> None:
        path = os.path.join(self.dir, "lock.json")
        with (
            mock.patch.object(os, "replace", side_effect=OSError("disk full")),
            self.assertRaises(OSError),
        ):
            atomic_file.write_text(path, "content\n")
        self.assertEqual(os.listdir(self.dir), [])

    def test_failure_keeps_the_old_file(self) -> None:
        path = os.path.join(self.dir, "lock.json")
        atomic_file.write_text(path, "old\n")
        with (
            mock.patch.object(os, "fsync", side_effect=OSError("io error")),
            self.assertRaises(OSError),
        ):
            atomic_file.write_text(path, "new\n", durable=True)
        self.assertEqual(os.listdir(self.dir), ["lock.json"])
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), "old\n")


class DirectoryTest(unittest.TestCase):
    def test_refuses_a_foreign_directory(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            target = os.path.join(tmp, "out")
            os.makedirs(target)
            with open(os.path.join(target, "precious"), "w"):
                pass
            with self.assertRaisesRegex(FileExistsError, "refusing to replace"):
                with atomic_file.atomic_directory(target, "marker"):
                    pass
            self.assertEqual(os.listdir(target), ["precious"])


if __name__ == "__main__":
    unittest.main()
