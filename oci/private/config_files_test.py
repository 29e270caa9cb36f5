"""Tests for config_files.py: rules_oci's file forms and env's meaning."""

from __future__ import annotations

import os
import sys
import tempfile
import unittest

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import config_files  # noqa: E402
from rules_common.cli import UserError  # noqa: E402


class ConfigFilesTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)

    def file(self, content: bytes | str, name: str = "f.txt") -> str:
        path = os.path.join(self._tmp.name, name)
        with open(path, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
        return path

    def test_lines_drop_empty_ones_and_unescape_newlines(self) -> None:
        path = self.file("app.bash\na1\n\na2 b2\n a3\tb3 \nl1%5Cnl2\n")
        self.assertEqual(
            config_files.read_lines(path, "cmd"),
            ["app.bash", "a1", "a2 b2", " a3\tb3 ", "l1\nl2"],
        )
        self.assertEqual(config_files.read_lines(self.file(""), "entrypoint"), [])

    def test_pairs_split_at_the_first_equals_sign_and_keep_order(self) -> None:
        path = self.file("B=1\nA==x=\n\nB=2\n")
        self.assertEqual(
            config_files.read_pair_list(path, "env"),
            [("B", "1"), ("A", "=x="), ("B", "2")],
        )
        self.assertEqual(
            config_files.read_pairs(path, "labels"), {"B": "2", "A": "=x="}
        )

    def test_a_line_without_a_key_names_the_file_and_line(self) -> None:
        path = self.file("A=1\njust words\n")
        with self.assertRaisesRegex(UserError, r"f\.txt:2: expected KEY=VALUE"):
            config_files.read_pair_list(path, "env")
        with self.assertRaisesRegex(UserError, r":1: expected KEY=VALUE"):
            config_files.read_pair_list(self.file("=v\n"), "env")

    def test_comma_lists(self) -> None:
        self.assertEqual(
            config_files.read_comma_list(self.file("8000/tcp,9000, 53/udp\n"), "ports"),
            ["8000/tcp", "9000", "53/udp"],
        )
        self.assertEqual(config_files.read_comma_list(self.file(""), "volumes"), [])

    def test_bounded_and_utf8(self) -> None:
        big = self.file(b"a" * (config_files.MAX_FILE_BYTES + 1))
        with self.assertRaisesRegex(UserError, "over 1048576 bytes"):
            config_files.read_lines(big, "cmd")
        with self.assertRaisesRegex(UserError, "not UTF-8"):
            config_files.read_lines(self.file(b"\xff\n"), "cmd")
        with self.assertRaisesRegex(UserError, "cannot read cmd"):
            config_files.read_lines(os.path.join(self._tmp.name, "absent"), "cmd")

    def test_created(self) -> None:
        self.assertEqual(
            config_files.read_created(self.file("2024-01-02T03:04:05Z\n")),
            "2024-01-02T03:04:05Z",
        )
        with self.assertRaisesRegex(UserError, "not an RFC 3339 time"):
            config_files.read_created(self.file("yesterday"))

    def test_env_applies_in_order_over_the_base(self) -> None:
        env = config_files.expand_env(
            ["PATH=/bin", "LANG=C.UTF-8", "HOME=/root"],
            [
                ("LANG", "C"),  # replaced in place
                ("PATH", "/opt/bin:$PATH"),  # the base's value
                ("X", "${LANG}-${NOPE}-$HOME"),  # LANG as just set; NOPE unset
                ("1", "VAL"),
                ("REFS", "$1:${1}"),  # digits are a name too
                ("EQ", "=a=$$"),  # no name after `$`: kept
                ("X", "again"),  # set twice: keeps its place
            ],
        )
        self.assertEqual(
            env,
            [
                "PATH=/opt/bin:/bin",
                "LANG=C",
                "HOME=/root",
                "X=again",
                "1=VAL",
                "REFS=VAL:VAL",
                "EQ==a=$$",
            ],
        )

    def test_env_values_keep_equals_signs_from_the_base(self) -> None:
        self.assertEqual(
            config_files.expand_env(["OPTS=a=b"], [("Y", "$OPTS")]),
            ["OPTS=a=b", "Y=a=b"],
        )


if __name__ == "__main__":
    unittest.main()
