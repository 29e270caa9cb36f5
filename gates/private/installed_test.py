"""evaluate_installed: passes on a faithful install, fails on each way it breaks."""

from __future__ import annotations

import unittest

from gates.private.installed import evaluate_installed

SITE = "/usr/local/lib/python3.11/dist-packages"
LOCKED = {"numpy": "1.26.4", "torch": "2.5.1", "sentence-transformers": "3.3.1"}
GOOD = [
    ("numpy", "1.26.4", SITE),
    ("torch", "2.5.1", SITE),
    ("sentence_transformers", "3.3.1", SITE + "/"),
]


class EvaluateInstalledTest(unittest.TestCase):
    def test_faithful_install_passes(self) -> None:
        self.assertEqual(evaluate_installed(GOOD, LOCKED, SITE), [])

    def test_installed_twice(self) -> None:
        (problem,) = evaluate_installed([*GOOD, ("torch", "2.5.1", SITE)], LOCKED, SITE)
        self.assertIn("torch is installed 2 times", problem)

    def test_outside_site_packages(self) -> None:
        installed = [
            *GOOD[:2],
            ("sentence-transformers", "3.3.1", "/usr/lib/python3/dist-packages"),
        ]
        (problem,) = evaluate_installed(installed, LOCKED, SITE)
        self.assertIn("is installed outside " + SITE, problem)

    def test_wrong_version(self) -> None:
        installed = [("numpy", "2.1.0", SITE), *GOOD[1:]]
        (problem,) = evaluate_installed(installed, LOCKED, SITE)
        self.assertEqual(problem, "numpy 2.1.0 is installed, the lock pins 1.26.4")

    def test_missing_and_unlocked(self) -> None:
        installed = [*GOOD[:2], ("requests", "2.32.0", SITE)]
        problems = evaluate_installed(installed, LOCKED, SITE)
        self.assertEqual(
            problems,
            [
                "requests 2.32.0 is installed but not locked",
                "sentence-transformers==3.3.1 is locked but not installed",
            ],
        )


if __name__ == "__main__":
    unittest.main()
