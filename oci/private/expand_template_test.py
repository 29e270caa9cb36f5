"""Tests for expand_template.py: substitutions, and stamped ones only when stamping."""

from __future__ import annotations

import os
import sys
import tempfile
import unittest

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import expand_template  # noqa: E402
from rules_common.cli import UserError  # noqa: E402

TEMPLATE = "BUILD_VERSION=1.2.3\nNAME=@NAME@\n"


class ExpandTemplateTest(unittest.TestCase):
    def test_unstamped_keeps_the_templates_value(self) -> None:
        out = expand_template.expand(
            TEMPLATE, [("@NAME@", "app")], [("1.2.3", "{{BUILD_EMBED_LABEL}}")], None
        )
        self.assertEqual(out, "BUILD_VERSION=1.2.3\nNAME=app\n")

    def test_stamped_fills_from_the_status(self) -> None:
        status = {"BUILD_EMBED_LABEL": "4.5.6"}
        out = expand_template.expand(
            TEMPLATE, [], [("1.2.3", "{{BUILD_EMBED_LABEL}}")], status
        )
        self.assertEqual(out, "BUILD_VERSION=4.5.6\nNAME=@NAME@\n")
        with self.assertRaisesRegex(UserError, "not in the workspace status"):
            expand_template.expand(TEMPLATE, [], [("1.2.3", "{{NOPE}}")], status)

    def test_cli(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            template = os.path.join(tmp, "t")
            with open(template, "w") as f:
                f.write(TEMPLATE)
            status = os.path.join(tmp, "stable-status.txt")
            with open(status, "w") as f:
                f.write("BUILD_EMBED_LABEL 9.9.9\n")
            out = os.path.join(tmp, "out")
            argv = ["--template", template, "--out", out, "--substitution", "@NAME@=x"]
            argv += ["--stamp-substitution", "1.2.3={{BUILD_EMBED_LABEL}}"]
            self.assertEqual(expand_template.main([*argv, "--stamp-info", status]), 0)
            with open(out) as f:
                self.assertEqual(f.read(), "BUILD_VERSION=9.9.9\nNAME=x\n")
            with self.assertRaisesRegex(UserError, "expected FROM=TO"):
                expand_template.main([*argv, "--substitution", "=x"])


if __name__ == "__main__":
    unittest.main()
