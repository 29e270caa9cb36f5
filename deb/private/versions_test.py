"""Debian version ordering and relation operators (python-debian, as dpkg)."""

from __future__ import annotations

import os
import sys
import unittest

if __name__ == "__main__" and not __package__:
    # Run as a script (`python3 deb/private/versions_test.py`):
    # put the repo root, two levels up, on sys.path as py_test does.
    _ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from deb.private import relations as dv


class VersionCompareTest(unittest.TestCase):
    def assert_order(self, lower: str, higher: str) -> None:
        self.assertEqual(dv.compare_versions(lower, higher), -1, f"{lower} < {higher}")
        self.assertEqual(dv.compare_versions(higher, lower), 1, f"{higher} > {lower}")

    def test_equal(self) -> None:
        for v in ["1.0", "1.0-1", "1:2.3-4", "3.11.2-6+deb12u8", "1.0~rc1"]:
            self.assertEqual(dv.compare_versions(v, v), 0, v)
        self.assertEqual(dv.compare_versions("0:1.0-1", "1.0-1"), 0)
        self.assertEqual(dv.compare_versions("1.01", "1.1"), 0)  # numeric, not textual

    def test_numeric_parts(self) -> None:
        self.assert_order("1.2", "1.10")
        self.assert_order("9", "10")
        self.assert_order("1.0", "1.0.1")
        self.assert_order("2.36-9", "2.36-10")

    def test_epoch_wins(self) -> None:
        self.assert_order("9.9-9", "1:0.1-1")
        self.assert_order("1:9.9", "2:0.1")
        self.assert_order("1:1.2.11.dfsg-2", "1:1.2.13.dfsg-1")

    def test_tilde_sorts_before_everything(self) -> None:
        self.assert_order("1.0~rc1", "1.0")
        self.assert_order("1.0~~", "1.0~")
        self.assert_order("1.0~~a", "1.0~")
        self.assert_order("1.0~rc1", "1.0~rc2")
        self.assert_order("2.1~beta3", "2.1")
        self.assert_order("7.0~beta", "8.2-1.3")
        self.assert_order("3.6.5~rc1-1", "3.6.5-1")

    def test_letters_before_other_characters(self) -> None:
        self.assert_order("1.0a", "1.0+")
        self.assert_order("1.0", "1.0a")
        self.assert_order("1.0a", "1.0b")
        self.assert_order("1.0+dfsg", "1.0.1")  # '+' < '.' by ASCII, both non-letters

    def test_debian_revisions(self) -> None:
        self.assert_order("3.11.2-6", "3.11.2-6+deb12u1")
        self.assert_order("3.11.2-6+deb12u1", "3.11.2-6+deb12u2")
        self.assert_order("3.11.2-6+deb12u8", "3.11.2-6+deb12u10")
        self.assert_order("2.36-9+deb12u7", "2.36-9+deb12u14")
        self.assert_order("1.0-1", "1.0-1.1")
        self.assert_order("1.0-1~bpo12+1", "1.0-1")
        self.assert_order("5.1.1alpha+20120614", "5.4.1-1")

    def test_hyphen_in_upstream(self) -> None:
        # The revision is after the LAST hyphen.
        self.assert_order("2.0-rc1-3", "2.0-rc1-4")

    def test_bad_versions(self) -> None:
        for bad in ["", "x:1.0", "1.0 beta"]:
            with self.assertRaises(ValueError, msg=bad):
                dv.compare_versions(bad, "1.0")

    def test_satisfies(self) -> None:
        self.assertTrue(dv.version_satisfies("2.36-9+deb12u7", ">=", "2.34"))
        self.assertFalse(dv.version_satisfies("2.33-1", ">=", "2.34"))
        self.assertTrue(dv.version_satisfies("1.0-1", "<<", "1.0-2"))
        self.assertFalse(dv.version_satisfies("1.0-2", "<<", "1.0-2"))
        self.assertTrue(dv.version_satisfies("1.0-2", "<=", "1.0-2"))
        self.assertTrue(dv.version_satisfies("1.0-2", "=", "1.0-2"))
        self.assertFalse(dv.version_satisfies("1.0-2", "=", "1.0-3"))
        self.assertTrue(dv.version_satisfies("1.1", ">>", "1.0"))
        self.assertFalse(dv.version_satisfies("1.0", ">>", "1.0"))
        self.assertTrue(dv.version_satisfies("1:1.2.13.dfsg-1", ">=", "1:1.2.0"))
        self.assertTrue(
            dv.version_satisfies("1.0", "<", "1.0")
        )  # obsolete '<' means '<='
        with self.assertRaises(ValueError):
            dv.version_satisfies("1.0", "!=", "1.0")


if __name__ == "__main__":
    unittest.main()
