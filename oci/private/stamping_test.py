"""Tests for stamping.py: placeholders, dropped entries, file digests."""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import unittest

if __name__ == "__main__":
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import stamping  # noqa: E402
from rules_common.cli import UserError  # noqa: E402


class StampingTest(unittest.TestCase):
    def test_placeholders_filled_from_status(self) -> None:
        values = {
            "revision": "{{STABLE_GIT_COMMIT}}",
            "title": "svc",
            "both": "{{A}}-{{B}}",
        }
        status = {"STABLE_GIT_COMMIT": "abc123", "A": "x", "B": "y"}
        self.assertEqual(
            stamping.stamp(values, status),
            {"revision": "abc123", "title": "svc", "both": "x-y"},
        )

    def test_unstamped_build_drops_placeholder_entries(self) -> None:
        values = {"revision": "{{STABLE_GIT_COMMIT}}", "title": "svc"}
        self.assertEqual(stamping.stamp(values, None), {"title": "svc"})
        self.assertEqual(stamping.stamp(values, {"OTHER": "1"}), {"title": "svc"})

    def test_read_status(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "stable-status.txt")
            with open(path, "w", encoding="utf-8") as f:
                f.write("BUILD_USER root\nSTABLE_GIT_COMMIT abc def\n")
            self.assertEqual(
                stamping.read_status(path),
                {"BUILD_USER": "root", "STABLE_GIT_COMMIT": "abc def"},
            )
            with self.assertRaisesRegex(UserError, "cannot read workspace status"):
                stamping.read_status(os.path.join(tmp, "missing"))

    def test_file_sha256_labels(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "requirements_lock.txt")
            with open(path, "wb") as f:
                f.write(b"numpy==1.26.4\\n")
            expected = hashlib.sha256(b"numpy==1.26.4\\n").hexdigest()
            self.assertEqual(
                stamping.file_sha256_labels([f"lock={path}"]), {"lock": expected}
            )
            with self.assertRaisesRegex(UserError, "expected KEY=PATH"):
                stamping.file_sha256_labels(["no-equals"])
            with self.assertRaisesRegex(UserError, "cannot read"):
                stamping.file_sha256_labels([f"lock={tmp}/missing"])


if __name__ == "__main__":
    unittest.main()
