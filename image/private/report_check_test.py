"""report_check in headless Chromium: a real report passes; broken pages are named."""

from __future__ import annotations

import os
import tempfile
import unittest

from image.private import report, report_check
from image.private.report_test import inventory


class ReportCheckTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.addCleanup(self._tmp.cleanup)
        self.root = os.environ["CHROMIUM_ROOT"]
        self.page = report.render(
            report.report_data(
                inventory({"base": ("1", 100), "app": ("2", 10)}, {}), None
            )
        )

    def check(self, page: str, screenshot: str | None = None) -> list[str]:
        path = os.path.join(self.tmp, "report.html")
        with open(path, "w") as f:
            f.write(page)
        return report_check.check(self.root, path, screenshot)

    def test_a_report_draws_with_no_console_message(self) -> None:
        shot = os.path.join(self.tmp, "report.png")
        self.assertEqual(self.check(self.page, shot), [])
        with open(shot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_a_script_error_is_named(self) -> None:
        broken = self.page.replace(
            '"use strict";', '"use strict"; undefinedFunction();', 1
        )
        found = self.check(broken)
        self.assertTrue(any("Uncaught ReferenceError" in p for p in found), found)
        self.assertIn("the script did not finish: <body> has no data-rendered", found)

    def test_a_chart_without_its_bars_is_named(self) -> None:
        broken = self.page.replace("svg.appendChild(bar);", "", 1)
        found = self.check(broken)
        self.assertIn("#layer-chart holds 0 bars, the image has 2 layers", found)


if __name__ == "__main__":
    unittest.main()
