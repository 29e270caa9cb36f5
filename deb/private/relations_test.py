"""Unit tests for relations."""

from __future__ import annotations

import os
import sys
import unittest

if __name__ == "__main__" and not __package__:
    # Run as a script (`python3 deb/private/relations_test.py`):
    # put the repo root, two levels up, on sys.path as py_test does.
    _ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from deb.private import relations as rl


class RelationParseTest(unittest.TestCase):
    def test_relations(self) -> None:
        rels = rl.parse_relations(
            "libc6 (>= 2.34), media-types | mime-support, python3:any (>=3.9~),"
            " libfoo:amd64, zlib1g (>= 1:1.2.0)"
        )
        self.assertEqual(
            rels,
            (
                (rl.Relation("libc6", ">=", "2.34"),),
                (rl.Relation("media-types"), rl.Relation("mime-support")),
                (rl.Relation("python3", ">=", "3.9~"),),
                (rl.Relation("libfoo"),),
                (rl.Relation("zlib1g", ">=", "1:1.2.0"),),
            ),
        )

    def test_empty_and_source_only_syntax(self) -> None:
        self.assertEqual(rl.parse_relations(""), ())
        self.assertEqual(
            rl.parse_relations("foo (<< 2) [amd64] <!nocheck>"),
            ((rl.Relation("foo", "<<", "2"),),),
        )

    def test_str(self) -> None:
        self.assertEqual(str(rl.Relation("x", ">=", "1")), "x (>= 1)")
        self.assertEqual(str(rl.Relation("x")), "x")

    def test_garbage(self) -> None:
        with self.assertRaises(ValueError):
            rl.parse_relation("foo (>= )")


if __name__ == "__main__":
    unittest.main()
