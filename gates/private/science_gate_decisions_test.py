"""science_gate's decisions and failing cases, without any stack: each judged
on facts given to it (the stack-independent half of science_gate_test.py)."""

from __future__ import annotations

import unittest

from gates.private.science_gate import version_matches


class DecisionTest(unittest.TestCase):
    def test_version_matches(self) -> None:
        self.assertTrue(version_matches("opencv-python-headless", "5.0.0", "5.0.0.93"))
        self.assertFalse(
            version_matches("opencv-python-headless", "4.10.0", "5.0.0.93")
        )
        self.assertTrue(version_matches("scipy", "1.18.1", "1.18.1"))
        self.assertFalse(version_matches("scipy", "1.18", "1.18.1"))


if __name__ == "__main__":
    unittest.main()
