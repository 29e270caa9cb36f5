"""Unit tests for closure (synthetic indexes, no network)."""

from __future__ import annotations

import os
import sys
import unittest

if __name__ == "__main__" and not __package__:
    # Run as a script (`python3 deb/private/closure_test.py`):
    # put the repo root, two levels up, on sys.path as py_test does.
    _ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from deb.private import closure as cl
from deb.private.index_fixtures import SYNTHETIC, make_index, stanza
from rules_common.cli import UserError


class ResolveTest(unittest.TestCase):
    def setUp(self) -> None:
        self.index = make_index(*SYNTHETIC)
        self.excluded = frozenset({"debconf", "dpkg"})

    def resolve(
        self, roots: list[str], *extra: str, excluded: frozenset[str] | None = None
    ) -> list[str]:
        index = make_index(*SYNTHETIC, *extra) if extra else self.index
        return cl.resolve_closure(
            roots, index, self.excluded if excluded is None else excluded, "python.txt"
        )

    def test_closure(self) -> None:
        self.assertEqual(
            self.resolve(["python3.11"]),
            [
                "libc6",
                "libffi7",  # first provider by name; see test_provider_choice
                "libgcc-s1",
                "libpython3.11-stdlib",
                "libreadline8",
                "libssl3",
                "media-types",
                "python3.11",
                "python3.11-minimal",
                "readline-common",
            ],
        )

    def test_first_existing_alternative(self) -> None:
        closure = self.resolve(["python3.11"])
        self.assertIn("media-types", closure)
        self.assertNotIn("mime-support", closure)
        # If the first alternative does not exist, the next one is taken.
        extra = stanza("x", depends="no-such-package | mime-support")
        self.assertEqual(self.resolve(["x"], extra), ["mime-support", "x"])

    def test_alternative_with_failing_version_falls_through(self) -> None:
        extra = stanza("x", depends="media-types (>= 99) | mime-support")
        self.assertEqual(self.resolve(["x"], extra), ["mime-support", "x"])

    def test_exclusions(self) -> None:
        closure = self.resolve(["python3.11"])
        # debconf excluded: `debconf | debconf-2.0` is dropped, cdebconf is not chosen.
        self.assertNotIn("debconf", closure)
        self.assertNotIn("cdebconf", closure)
        # dpkg excluded: `dpkg | install-info` is dropped, install-info not chosen.
        self.assertNotIn("dpkg", closure)
        self.assertNotIn("install-info", closure)
        # Without exclusions, both come in.
        full = self.resolve(["python3.11"], excluded=frozenset())
        self.assertIn("debconf", full)
        self.assertIn("dpkg", full)
        self.assertNotIn("install-info", full)

    def test_virtual_name_excluded_through_provider(self) -> None:
        extra = stanza("x", depends="debconf-2.0")
        self.assertEqual(self.resolve(["x"], extra), ["x"])
        # Without the exclusion, the first provider by name is chosen.
        self.assertEqual(
            self.resolve(["x"], extra, excluded=frozenset()), ["cdebconf", "x"]
        )

    def test_provider_choice(self) -> None:
        extra = stanza("x", depends="libffi-virtual")
        first = self.resolve(["x"], extra)
        self.assertEqual(first, ["libffi7", "x"])
        # Independent of the order of the index.
        reversed_index = make_index(extra, *reversed(SYNTHETIC))
        self.assertEqual(
            cl.resolve_closure(["x"], reversed_index, self.excluded), first
        )

    def test_real_package_preferred_over_provider(self) -> None:
        extra = stanza("x", depends="media-types"), stanza("y", provides="media-types")
        self.assertEqual(self.resolve(["x"], *extra), ["media-types", "x"])

    def test_versioned_provides(self) -> None:
        extra = (
            stanza("x", depends="virt (>= 2)"),
            stanza("p-old", provides="virt (= 1)"),
            stanza("p-new", provides="virt (= 2.5)"),
            stanza("p-unversioned", provides="virt"),
        )
        self.assertEqual(self.resolve(["x"], *extra), ["p-new", "x"])

    def test_version_constraint_failure_names_chain(self) -> None:
        extra = (
            stanza("root", depends="mid"),
            stanza("mid", depends="libc6 (>= 2.40)"),
        )
        with self.assertRaises(UserError) as cm:
            self.resolve(["root"], *extra)
        message = str(cm.exception)
        self.assertIn(
            "unsatisfiable dependency: root -> mid -> libc6 (>= 2.40)", message
        )
        self.assertIn("libc6 is 2.36-9+deb12u7 in bookworm", message)

    def test_exact_version_failure(self) -> None:
        extra = stanza("python3.11-dbg", depends="python3.11 (= 3.11.2-6+deb12u2)")
        with self.assertRaisesRegex(
            UserError,
            r"python3\.11-dbg -> python3\.11 \(= 3\.11\.2-6\+deb12u2\)",
        ):
            self.resolve(["python3.11-dbg"], extra)

    def test_missing_dependency(self) -> None:
        extra = stanza("x", depends="ghost | phantom")
        with self.assertRaisesRegex(
            UserError,
            r"x -> ghost \| phantom\n.*ghost is in no suite; phantom is in no suite",
        ):
            self.resolve(["x"], extra)

    def test_missing_root(self) -> None:
        with self.assertRaisesRegex(
            UserError, r"root package 'nosuch' from python\.txt is not in any suite"
        ):
            self.resolve(["python3.11", "nosuch"])

    def test_virtual_root(self) -> None:
        with self.assertRaisesRegex(
            UserError, r"virtual package provided by libffi7, libffi8"
        ):
            self.resolve(["libffi-virtual"])

    def test_excluded_root(self) -> None:
        with self.assertRaisesRegex(
            UserError, r"'dpkg' in python\.txt is also in exclude"
        ):
            self.resolve(["dpkg"])

    def test_cycle_and_shortest_chain(self) -> None:
        # libc6 <-> libgcc-s1 is a cycle; the closure terminates.
        self.assertEqual(self.resolve(["libc6"]), ["libc6", "libgcc-s1"])


if __name__ == "__main__":
    unittest.main()
