"""Unit tests for packages_index (no network)."""

from __future__ import annotations

import contextlib
import io
import lzma
import os
import sys
import unittest
import urllib.error
import urllib.request
from unittest import mock

if __name__ == "__main__" and not __package__:
    # Run as a script (`python3 deb/private/packages_index_test.py`):
    # put the repo root, two levels up, on sys.path as py_test does.
    _ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from deb.private import packages_index as pi
from deb.private import relations as rl
from deb.private.index_fixtures import MAIN, SECURITY, stanza, unsigned, with_releases
from rules_common.cli import UserError


class StanzaParseTest(unittest.TestCase):
    TEXT = (
        "Package: foo\n"
        "Version: 1.0-1\n"
        "Description: short\n"
        " long line one\n"
        " .\n"
        " long line two\n"
        "Depends: libc6 (>= 2.34),\n"
        " libbar\n"
        "\n"
        "\n"
        "Package: bar\n"
        "Version: 2\n"
    )

    def test_stanzas(self) -> None:
        stanzas = list(pi.iter_stanzas(self.TEXT))
        self.assertEqual(len(stanzas), 2)
        self.assertEqual(stanzas[0]["Package"], "foo")
        self.assertEqual(
            # deb822 keeps continuation lines as they are.
            stanzas[0]["Description"],
            "short\n long line one\n .\n long line two",
        )
        self.assertEqual(stanzas[0]["Depends"], "libc6 (>= 2.34),\n libbar")
        self.assertEqual(stanzas[1], {"Package": "bar", "Version": "2"})

    def test_multiline_depends_parse(self) -> None:
        fields = next(pi.iter_stanzas(self.TEXT))
        self.assertEqual(
            rl.parse_relations(fields["Depends"]),
            ((rl.Relation("libc6", ">=", "2.34"),), (rl.Relation("libbar"),)),
        )

    def test_bad_line(self) -> None:
        with self.assertRaises(ValueError):
            list(pi.iter_stanzas(" orphan continuation\n"))
        with self.assertRaises(ValueError):
            list(pi.iter_stanzas("Package: x\nno colon here\n"))

    def test_package_fields(self) -> None:
        text = stanza(
            "foo",
            "2.0-1",
            pre_depends="libc6 (>= 2.34)",
            depends="libbar | libbaz",
            provides="foo-virtual (= 2.0), other",
        )
        (pkg,) = pi.parse_index(text, SECURITY)
        self.assertEqual(pkg.name, "foo")
        self.assertEqual(pkg.version, "2.0-1")
        self.assertEqual(pkg.filename, "pool/main/f/foo/foo_2.0-1_amd64.deb")
        self.assertEqual(pkg.size, 300)
        self.assertEqual(len(pkg.sha256), 64)
        # Pre-Depends come first.
        self.assertEqual(
            [[str(r) for r in g] for g in pkg.depends],
            [["libc6 (>= 2.34)"], ["libbar", "libbaz"]],
        )
        self.assertEqual(
            pkg.provides, (rl.Relation("foo-virtual", "=", "2.0"), rl.Relation("other"))
        )
        self.assertEqual(
            pkg.suite.urls(pkg.filename),
            [
                "https://sec.invalid/debian-security/pool/main/f/foo/foo_2.0-1_amd64.deb",
                "https://fallback.invalid/debian-security/pool/main/f/foo/foo_2.0-1_amd64.deb",
            ],
        )

    def test_missing_field_is_a_lock_error(self) -> None:
        with self.assertRaisesRegex(
            UserError, r"bookworm: package 'foo' has no SHA256"
        ):
            pi.parse_index(
                "Package: foo\nVersion: 1\nArchitecture: all\n"
                "Filename: f.deb\nSize: 1\n",
                MAIN,
            )


class IndexTest(unittest.TestCase):
    def test_highest_version_across_suites(self) -> None:
        main = pi.parse_index(stanza("a", "1.0-1") + "\n" + stanza("b", "2.0-1"), MAIN)
        sec = pi.parse_index(
            stanza("a", "1.0-1+deb12u1") + "\n" + stanza("b", "1.9-1"), SECURITY
        )
        index = pi.Index(main + sec)
        self.assertEqual(index.packages["a"].suite.name, "bookworm-security")
        self.assertEqual(index.packages["a"].version, "1.0-1+deb12u1")
        self.assertEqual(index.packages["b"].suite.name, "bookworm")

    def test_tie_keeps_first_suite(self) -> None:
        index = pi.Index(
            pi.parse_index(stanza("a"), MAIN) + pi.parse_index(stanza("a"), SECURITY)
        )
        self.assertEqual(index.packages["a"].suite, MAIN)

    def test_listed_in_names_every_suite_with_the_same_file(self) -> None:
        same = pi.parse_index(stanza("a"), MAIN) + pi.parse_index(stanza("a"), SECURITY)
        self.assertEqual(pi.Index(same).listed_in["a"], (MAIN, SECURITY))
        # Another version, or the same name with another sha256, is not that file.
        older = pi.parse_index(stanza("a", "0.9-1"), MAIN)
        newer = pi.parse_index(stanza("a", "1.0-1"), SECURITY)
        self.assertEqual(pi.Index(older + newer).listed_in["a"], (SECURITY,))
        rebuilt = pi.parse_index(
            stanza("a").replace("SHA256: 61", "SHA256: ff"), SECURITY
        )
        self.assertEqual(
            pi.Index(pi.parse_index(stanza("a"), MAIN) + rebuilt).listed_in["a"],
            (MAIN,),
        )

    def test_load_index_uses_fetcher(self) -> None:
        texts = {
            MAIN.index_url("amd64"): stanza("a", "1"),
            SECURITY.index_url("amd64"): stanza("a", "2"),
        }
        fetched: list[str] = []

        def fetch(url: str) -> bytes:
            fetched.append(url)
            return lzma.compress(texts[url].encode())

        with contextlib.redirect_stderr(io.StringIO()) as err:
            index = pi.load_index(
                [MAIN, SECURITY],
                "amd64",
                with_releases(fetch, [MAIN, SECURITY], "amd64"),
                unsigned,
            )
        # (`fetched` also holds the index fetches with_releases makes to hash.)
        self.assertEqual(
            fetched[-1],
            "https://sec.invalid/debian-security/dists/bookworm-security/main/"
            "binary-amd64/Packages.xz",
        )
        self.assertIn(
            "https://main.invalid/debian/dists/bookworm/main/binary-amd64/Packages.xz",
            fetched,
        )
        self.assertEqual(index.packages["a"].version, "2")
        self.assertIn("fetching https://main.invalid/", err.getvalue())

    def test_corrupt_download(self) -> None:
        with self.assertRaisesRegex(
            UserError, r"x\.invalid/Packages\.xz: cannot decompress"
        ):
            pi.decompress("https://x.invalid/Packages.xz", b"not xz")

    def test_suite_urls(self) -> None:
        suite = pi.Suite(
            "sec",
            "https://a.invalid/sec/",
            ("https://a.invalid/sec/", "https://b.invalid/"),
        )
        self.assertEqual(
            suite.index_url("amd64"),
            "https://a.invalid/sec/dists/sec/main/binary-amd64/Packages.xz",
        )
        self.assertEqual(
            suite.urls("pool/x.deb"),
            ["https://a.invalid/sec/pool/x.deb", "https://b.invalid/pool/x.deb"],
        )


class FetchUrlTest(unittest.TestCase):
    def test_fetch_url_error_message(self) -> None:
        error = urllib.error.URLError("Name or service not known")
        with (
            mock.patch.object(urllib.request, "urlopen", side_effect=error),
            self.assertRaises(UserError) as cm,
        ):
            pi.fetch_url("https://deb.debian.org/debian/dists/x/Packages.xz")
        message = str(cm.exception)
        self.assertIn(
            "cannot fetch https://deb.debian.org/debian/dists/x/Packages.xz", message
        )
        self.assertIn("deb.debian.org and security.debian.org", message)


if __name__ == "__main__":
    unittest.main()
