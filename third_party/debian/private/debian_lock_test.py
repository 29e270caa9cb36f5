"""Unit tests for debian_lock (no network)."""

from __future__ import annotations

import contextlib
import io
import json
import lzma
import os
import shutil
import sys
import tempfile
import unittest
import urllib.error
import urllib.request
from unittest import mock

if __name__ == "__main__" and not __package__:
    # Run as a script (`python3 third_party/debian/private/debian_lock_test.py`):
    # put the repo root, three levels up, on sys.path as py_test does.
    _ROOT = os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from third_party.debian.private import debian_lock as dl

MAIN = dl.Suite(
    "bookworm", "https://main.invalid/debian/", ("https://main.invalid/debian/",)
)
SECURITY = dl.Suite(
    "bookworm-security",
    "https://sec.invalid/debian-security/",
    (
        "https://sec.invalid/debian-security/",
        "https://fallback.invalid/debian-security/",
    ),
)


def stanza(
    name: str, version: str = "1.0-1", arch: str = "amd64", **fields: str
) -> str:
    """A Packages stanza; keyword names map to fields (pre_depends -> Pre-Depends)."""
    lines = [
        f"Package: {name}",
        f"Version: {version}",
        f"Architecture: {arch}",
        f"Filename: pool/main/{name[0]}/{name}/{name}_{version}_{arch}.deb",
        f"Size: {len(name) * 100}",
        f"SHA256: {name.encode().hex()[:8]:0<64}",
    ]
    for key, value in fields.items():
        lines.append(
            f"{'-'.join(part.capitalize() for part in key.split('_'))}: {value}"
        )
    return "\n".join(lines) + "\n"


def make_index(*stanzas: str, suite: dl.Suite = MAIN) -> dl.Index:
    return dl.Index(dl.parse_index("\n".join(stanzas), suite))


class VersionCompareTest(unittest.TestCase):
    def assert_order(self, lower: str, higher: str) -> None:
        self.assertEqual(dl.compare_versions(lower, higher), -1, f"{lower} < {higher}")
        self.assertEqual(dl.compare_versions(higher, lower), 1, f"{higher} > {lower}")

    def test_equal(self) -> None:
        for v in ["1.0", "1.0-1", "1:2.3-4", "3.11.2-6+deb12u8", "1.0~rc1"]:
            self.assertEqual(dl.compare_versions(v, v), 0, v)
        self.assertEqual(dl.compare_versions("0:1.0-1", "1.0-1"), 0)
        self.assertEqual(dl.compare_versions("1.01", "1.1"), 0)  # numeric, not textual
        self.assertEqual(dl.compare_versions("1.0-0", "1.0-"), 0)

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
        v = dl.Version.parse("1:2.0-rc1-3")
        self.assertEqual((v.epoch, v.upstream, v.revision), (1, "2.0-rc1", "3"))
        self.assert_order("2.0-rc1-3", "2.0-rc1-4")

    def test_bad_versions(self) -> None:
        for bad in ["", "x:1.0", "-1"]:
            with self.assertRaises(ValueError, msg=bad):
                dl.Version.parse(bad)

    def test_satisfies(self) -> None:
        self.assertTrue(dl.version_satisfies("2.36-9+deb12u7", ">=", "2.34"))
        self.assertFalse(dl.version_satisfies("2.33-1", ">=", "2.34"))
        self.assertTrue(dl.version_satisfies("1.0-1", "<<", "1.0-2"))
        self.assertFalse(dl.version_satisfies("1.0-2", "<<", "1.0-2"))
        self.assertTrue(dl.version_satisfies("1.0-2", "<=", "1.0-2"))
        self.assertTrue(dl.version_satisfies("1.0-2", "=", "1.0-2"))
        self.assertFalse(dl.version_satisfies("1.0-2", "=", "1.0-3"))
        self.assertTrue(dl.version_satisfies("1.1", ">>", "1.0"))
        self.assertFalse(dl.version_satisfies("1.0", ">>", "1.0"))
        self.assertTrue(dl.version_satisfies("1:1.2.13.dfsg-1", ">=", "1:1.2.0"))
        self.assertTrue(
            dl.version_satisfies("1.0", "<", "1.0")
        )  # obsolete '<' means '<='
        with self.assertRaises(ValueError):
            dl.version_satisfies("1.0", "!=", "1.0")


class RelationParseTest(unittest.TestCase):
    def test_relations(self) -> None:
        rels = dl.parse_relations(
            "libc6 (>= 2.34), media-types | mime-support, python3:any (>=3.9~),"
            " libfoo:amd64, zlib1g (>= 1:1.2.0)"
        )
        self.assertEqual(
            rels,
            (
                (dl.Relation("libc6", ">=", "2.34"),),
                (dl.Relation("media-types"), dl.Relation("mime-support")),
                (dl.Relation("python3", ">=", "3.9~"),),
                (dl.Relation("libfoo"),),
                (dl.Relation("zlib1g", ">=", "1:1.2.0"),),
            ),
        )

    def test_empty_and_source_only_syntax(self) -> None:
        self.assertEqual(dl.parse_relations(""), ())
        self.assertEqual(
            dl.parse_relations("foo (<< 2) [amd64] <!nocheck>"),
            ((dl.Relation("foo", "<<", "2"),),),
        )

    def test_str(self) -> None:
        self.assertEqual(str(dl.Relation("x", ">=", "1")), "x (>= 1)")
        self.assertEqual(str(dl.Relation("x")), "x")

    def test_garbage(self) -> None:
        with self.assertRaises(ValueError):
            dl.parse_relation("foo (>= )")


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
        stanzas = list(dl.iter_stanzas(self.TEXT))
        self.assertEqual(len(stanzas), 2)
        self.assertEqual(stanzas[0]["Package"], "foo")
        self.assertEqual(
            stanzas[0]["Description"], "short\nlong line one\n\nlong line two"
        )
        self.assertEqual(stanzas[0]["Depends"], "libc6 (>= 2.34),\nlibbar")
        self.assertEqual(stanzas[1], {"Package": "bar", "Version": "2"})

    def test_multiline_depends_parse(self) -> None:
        fields = next(dl.iter_stanzas(self.TEXT))
        self.assertEqual(
            dl.parse_relations(fields["Depends"]),
            ((dl.Relation("libc6", ">=", "2.34"),), (dl.Relation("libbar"),)),
        )

    def test_bad_line(self) -> None:
        with self.assertRaises(ValueError):
            list(dl.iter_stanzas(" orphan continuation\n"))
        with self.assertRaises(ValueError):
            list(dl.iter_stanzas("Package: x\nno colon here\n"))

    def test_package_fields(self) -> None:
        text = stanza(
            "foo",
            "2.0-1",
            pre_depends="libc6 (>= 2.34)",
            depends="libbar | libbaz",
            provides="foo-virtual (= 2.0), other",
        )
        (pkg,) = dl.parse_index(text, SECURITY)
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
            pkg.provides, (dl.Relation("foo-virtual", "=", "2.0"), dl.Relation("other"))
        )
        self.assertEqual(
            dl.package_entry(pkg)["urls"],
            [
                "https://sec.invalid/debian-security/pool/main/f/foo/foo_2.0-1_amd64.deb",
                "https://fallback.invalid/debian-security/pool/main/f/foo/foo_2.0-1_amd64.deb",
            ],
        )

    def test_missing_field_is_a_lock_error(self) -> None:
        with self.assertRaisesRegex(
            dl.LockError, r"bookworm: package 'foo' has no SHA256"
        ):
            dl.parse_index(
                "Package: foo\nVersion: 1\nArchitecture: all\n"
                "Filename: f.deb\nSize: 1\n",
                MAIN,
            )


class IndexTest(unittest.TestCase):
    def test_highest_version_across_suites(self) -> None:
        main = dl.parse_index(stanza("a", "1.0-1") + "\n" + stanza("b", "2.0-1"), MAIN)
        sec = dl.parse_index(
            stanza("a", "1.0-1+deb12u1") + "\n" + stanza("b", "1.9-1"), SECURITY
        )
        index = dl.Index(main + sec)
        self.assertEqual(index.packages["a"].suite.name, "bookworm-security")
        self.assertEqual(index.packages["a"].version, "1.0-1+deb12u1")
        self.assertEqual(index.packages["b"].suite.name, "bookworm")

    def test_tie_keeps_first_suite(self) -> None:
        index = dl.Index(
            dl.parse_index(stanza("a"), MAIN) + dl.parse_index(stanza("a"), SECURITY)
        )
        self.assertEqual(index.packages["a"].suite, MAIN)

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
            index = dl.load_index([MAIN, SECURITY], "amd64", fetch)
        self.assertEqual(
            fetched,
            [
                "https://main.invalid/debian/dists/bookworm/main/binary-amd64/Packages.xz",
                (
                    "https://sec.invalid/debian-security/dists/bookworm-security/main/"
                    "binary-amd64/Packages.xz"
                ),
            ],
        )
        self.assertEqual(index.packages["a"].version, "2")
        self.assertIn("fetching https://main.invalid/", err.getvalue())

    def test_corrupt_download(self) -> None:
        with self.assertRaisesRegex(
            dl.LockError, r"x\.invalid/Packages\.xz: cannot decompress"
        ):
            dl.decompress("https://x.invalid/Packages.xz", b"not xz")

    def test_real_suites(self) -> None:
        urls = [s.index_url("amd64") for s in dl.BOOKWORM_SUITES]
        self.assertEqual(
            urls,
            [
                "https://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz",
                (
                    "https://deb.debian.org/debian/dists/bookworm-updates/main/"
                    "binary-amd64/Packages.xz"
                ),
                (
                    "https://security.debian.org/debian-security/dists/bookworm-security/main/"
                    "binary-amd64/Packages.xz"
                ),
            ],
        )
        self.assertEqual(
            dl.BOOKWORM_SUITES[2].urls("pool/updates/x.deb"),
            [
                "https://security.debian.org/debian-security/pool/updates/x.deb",
                "https://deb.debian.org/debian-security/pool/updates/x.deb",
            ],
        )
        self.assertEqual(
            dl.BOOKWORM_SUITES[0].urls("pool/main/x.deb"),
            ["https://deb.debian.org/debian/pool/main/x.deb"],
        )

    def test_sid_suite(self) -> None:
        (sid,) = dl.SID_SUITES
        self.assertEqual(
            sid.index_url("amd64"),
            "https://deb.debian.org/debian/dists/sid/main/binary-amd64/Packages.xz",
        )
        self.assertEqual(
            sid.urls("pool/main/g/go-containerregistry/crane.deb"),
            [
                "https://deb.debian.org/debian/pool/main/g/go-containerregistry/crane.deb"
            ],
        )

    def test_distributions(self) -> None:
        self.assertEqual(sorted(dl.DISTRIBUTIONS), ["bookworm", "sid"])
        self.assertEqual(dl.DEFAULT_DISTRIBUTION, "bookworm")
        bookworm, sid = dl.DISTRIBUTIONS["bookworm"], dl.DISTRIBUTIONS["sid"]
        self.assertEqual(bookworm.suites, dl.BOOKWORM_SUITES)
        self.assertEqual(bookworm.packages_dir, "third_party/debian/packages")
        self.assertEqual(bookworm.out, "third_party/debian/debian.lock.json")
        self.assertEqual(sid.suites, dl.SID_SUITES)
        self.assertEqual(sid.packages_dir, "third_party/debian/sid")
        self.assertEqual(sid.out, "third_party/debian/sid.lock.json")


# A small synthetic archive shaped like bookworm's python3.11.
SYNTHETIC = [
    stanza(
        "python3.11",
        "3.11.2-6+deb12u1",
        depends="python3.11-minimal (= 3.11.2-6+deb12u1), libpython3.11-stdlib "
        "(= 3.11.2-6+deb12u1), media-types | mime-support",
    ),
    stanza("python3.11-minimal", "3.11.2-6+deb12u1", pre_depends="libc6 (>= 2.34)"),
    stanza(
        "libpython3.11-stdlib",
        "3.11.2-6+deb12u1",
        depends="libc6 (>= 2.34), libssl3:any (>= 3.0.0), libffi-virtual, "
        "libreadline8 (>= 7.0~beta)",
    ),
    stanza("libc6", "2.36-9+deb12u7", depends="libgcc-s1"),
    stanza("libgcc-s1", "12.2.0-14", depends="libc6 (>= 2.35)"),  # a cycle
    stanza("libssl3", "3.0.11-1~deb12u2", depends="debconf (>= 0.5) | debconf-2.0"),
    stanza("debconf", "1.5.82", arch="all", provides="debconf-2.0"),
    stanza("cdebconf", "0.270", provides="debconf-2.0"),
    # Virtual package with two providers: the choice must be deterministic.
    stanza("libffi8", "3.4.4-1", provides="libffi-virtual"),
    stanza("libffi7", "3.3-6", provides="libffi-virtual"),
    stanza("libreadline8", "8.2-1.3", depends="readline-common"),
    stanza(
        "readline-common",
        "8.2-1.3",
        arch="all",
        depends="dpkg (>= 1.15.4) | install-info",
    ),
    stanza("dpkg", "1.21.22"),
    stanza("install-info", "6.8-6"),
    stanza("mime-support", "3.66", arch="all"),
    stanza("media-types", "10.0.0", arch="all"),
    stanza("unused", "1.0"),
]


class ResolveTest(unittest.TestCase):
    def setUp(self) -> None:
        self.index = make_index(*SYNTHETIC)
        self.excluded = frozenset({"debconf", "dpkg"})

    def resolve(
        self, roots: list[str], *extra: str, excluded: frozenset[str] | None = None
    ) -> list[str]:
        index = make_index(*SYNTHETIC, *extra) if extra else self.index
        return dl.resolve_closure(
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
            dl.resolve_closure(["x"], reversed_index, self.excluded), first
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
        with self.assertRaises(dl.LockError) as cm:
            self.resolve(["root"], *extra)
        message = str(cm.exception)
        self.assertIn(
            "unsatisfiable dependency: root -> mid -> libc6 (>= 2.40)", message
        )
        self.assertIn("libc6 is 2.36-9+deb12u7 in bookworm", message)

    def test_exact_version_failure(self) -> None:
        extra = stanza("python3.11-dbg", depends="python3.11 (= 3.11.2-6+deb12u2)")
        with self.assertRaisesRegex(
            dl.LockError,
            r"python3\.11-dbg -> python3\.11 \(= 3\.11\.2-6\+deb12u2\)",
        ):
            self.resolve(["python3.11-dbg"], extra)

    def test_missing_dependency(self) -> None:
        extra = stanza("x", depends="ghost | phantom")
        with self.assertRaisesRegex(
            dl.LockError,
            r"x -> ghost \| phantom\n.*ghost is in no suite; phantom is in no suite",
        ):
            self.resolve(["x"], extra)

    def test_missing_root(self) -> None:
        with self.assertRaisesRegex(
            dl.LockError, r"root package 'nosuch' from python\.txt is not in any suite"
        ):
            self.resolve(["python3.11", "nosuch"])

    def test_virtual_root(self) -> None:
        with self.assertRaisesRegex(
            dl.LockError, r"virtual package provided by libffi7, libffi8"
        ):
            self.resolve(["libffi-virtual"])

    def test_excluded_root(self) -> None:
        with self.assertRaisesRegex(
            dl.LockError, r"'dpkg' in python\.txt is also in exclude"
        ):
            self.resolve(["dpkg"])

    def test_cycle_and_shortest_chain(self) -> None:
        # libc6 <-> libgcc-s1 is a cycle; the closure terminates.
        self.assertEqual(self.resolve(["libc6"]), ["libc6", "libgcc-s1"])


class FilesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.name

    def write(self, name: str, text: str) -> str:
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_read_list(self) -> None:
        path = self.write("l.txt", "# header\n\nlibc6  # glibc\n  zlib1g\nlibc6\n#x\n")
        self.assertEqual(dl.read_list(path), ["libc6", "zlib1g"])

    def test_discover_groups(self) -> None:
        for name in ["python.txt", "base.txt", "certs.txt", "exclude.txt"]:
            self.write(name, "x\n")
        self.write("README.md", "not a roots file\n")
        self.write(".base.txt", "hidden\n")
        self.write("notes.txt.orig", "backup\n")
        os.mkdir(os.path.join(self.dir, "dir.txt"))
        groups = dl.discover_groups(self.dir)
        self.assertEqual(list(groups), ["base", "certs", "python"])
        self.assertEqual(groups["certs"], os.path.join(self.dir, "certs.txt"))

    def test_discover_groups_none(self) -> None:
        self.write("exclude.txt", "dpkg\n")
        with self.assertRaisesRegex(dl.LockError, r"has no roots files"):
            dl.discover_groups(self.dir)

    def test_discover_groups_missing_dir(self) -> None:
        missing = os.path.join(self.dir, "nope")
        with self.assertRaisesRegex(
            dl.LockError, rf"packages dir {missing} does not exist"
        ):
            dl.discover_groups(missing)

    def test_discover_groups_bad_name(self) -> None:
        self.write("my group.txt", "x\n")
        with self.assertRaisesRegex(dl.LockError, r"'my group' is not a valid group"):
            dl.discover_groups(self.dir)

    def test_read_list_missing(self) -> None:
        with self.assertRaisesRegex(dl.LockError, r"cannot read .*nope\.txt"):
            dl.read_list(os.path.join(self.dir, "nope.txt"))

    def test_atomic_write(self) -> None:
        path = os.path.join(self.dir, "lock.json")
        dl.write_atomic(path, "one\n")
        dl.write_atomic(path, "two\n")
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), "two\n")
        self.assertEqual(os.listdir(self.dir), ["lock.json"])
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o644)

    def test_atomic_write_failure_leaves_nothing(self) -> None:
        path = os.path.join(self.dir, "lock.json")
        with (
            mock.patch.object(os, "replace", side_effect=OSError("disk full")),
            self.assertRaises(OSError),
        ):
            dl.write_atomic(path, "content\n")
        self.assertEqual(os.listdir(self.dir), [])

    def test_atomic_write_failure_keeps_old_file(self) -> None:
        path = self.write("lock.json", "old\n")
        with (
            mock.patch.object(os, "fsync", side_effect=OSError("io error")),
            self.assertRaises(OSError),
        ):
            dl.write_atomic(path, "new\n")
        self.assertEqual(os.listdir(self.dir), ["lock.json"])
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), "old\n")

    def test_workspace_path(self) -> None:
        with mock.patch.dict(os.environ, {"BUILD_WORKSPACE_DIRECTORY": "/ws"}):
            self.assertEqual(dl.workspace_path("a/b.json"), "/ws/a/b.json")
            self.assertEqual(dl.workspace_path("/abs/b.json"), "/abs/b.json")
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(dl.workspace_path("a/b.json"), "a/b.json")


class EndToEndTest(unittest.TestCase):
    """`run` and `main` over a fake fetcher: output shape and determinism."""

    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.pkgdir = os.path.join(self.tmp.name, "packages")
        os.mkdir(self.pkgdir)
        files = {
            "python.txt": "# python\npython3.11\n",
            "base.txt": "libc6\nmedia-types\n",
            "tools.txt": "# any *.txt is a group\nmime-support\n",
            "exclude.txt": "debconf  # scripts\ndpkg\n",
            "README.md": "not a roots file\n",
        }
        for name, text in files.items():
            with open(os.path.join(self.pkgdir, name), "w", encoding="utf-8") as f:
                f.write(text)
        self.out = os.path.join(self.tmp.name, "debian.lock.json")
        # python3.11 and libssl3 are newer in security.
        main_text = "\n".join(SYNTHETIC)
        sec_text = "\n".join(
            [
                stanza(
                    "python3.11",
                    "3.11.2-6+deb12u2",
                    depends="python3.11-minimal, libpython3.11-stdlib",
                ),
                stanza("libssl3", "3.0.15-1~deb12u1"),
            ]
        )
        self.indexes = {
            MAIN.index_url("amd64"): main_text,
            SECURITY.index_url("amd64"): sec_text,
        }

    def fetch(self, url: str) -> bytes:
        return lzma.compress(self.indexes[url].encode())

    def run_lock(self, fetch: dl.Fetcher | None = None) -> str:
        with contextlib.redirect_stderr(io.StringIO()):
            dl.run(
                self.out, self.pkgdir, "amd64", fetch or self.fetch, [MAIN, SECURITY]
            )
        with open(self.out, encoding="utf-8") as f:
            return f.read()

    def test_output(self) -> None:
        text = self.run_lock()
        self.assertTrue(text.endswith("}\n"))
        lock = json.loads(text)
        self.assertEqual(text, json.dumps(lock, indent=2, sort_keys=True) + "\n")
        self.assertEqual(lock["arch"], "amd64")
        self.assertEqual(lock["distribution"], "bookworm")
        self.assertEqual(lock["suites"], ["bookworm", "bookworm-security"])
        self.assertEqual(list(lock["groups"]), ["base", "python", "tools"])
        self.assertEqual(lock["groups"]["base"], ["libc6", "libgcc-s1", "media-types"])
        self.assertEqual(lock["groups"]["tools"], ["mime-support"])
        self.assertEqual(
            lock["groups"]["python"],
            [
                "libc6",
                "libffi7",
                "libgcc-s1",
                "libpython3.11-stdlib",
                "libreadline8",
                "libssl3",
                "python3.11",
                "python3.11-minimal",
                "readline-common",
            ],
        )
        self.assertEqual(list(lock["packages"]), sorted(lock["packages"]))
        self.assertEqual(
            set(lock["packages"]),
            set(lock["groups"]["base"])
            | set(lock["groups"]["python"])
            | set(lock["groups"]["tools"]),
        )
        py = lock["packages"]["python3.11"]
        deb = "python3.11_3.11.2-6+deb12u2_amd64.deb"
        self.assertEqual(
            py,
            {
                "arch": "amd64",
                "filename": f"pool/main/p/python3.11/{deb}",
                "sha256": py["sha256"],
                "size": 1000,
                "suite": "bookworm-security",
                "urls": [
                    f"https://sec.invalid/debian-security/pool/main/p/python3.11/{deb}",
                    f"https://fallback.invalid/debian-security/pool/main/p/python3.11/{deb}",
                ],
                "version": "3.11.2-6+deb12u2",
            },
        )
        self.assertEqual(lock["packages"]["media-types"]["arch"], "all")
        self.assertEqual(
            lock["packages"]["libc6"]["urls"],
            [
                "https://main.invalid/debian/pool/main/l/libc6/libc6_2.36-9+deb12u7_amd64.deb"
            ],
        )

    def test_deterministic(self) -> None:
        first = self.run_lock()
        # Same input in a different stanza order gives byte-identical output.
        for url, text in self.indexes.items():
            stanzas = [part.strip("\n") for part in text.split("\n\n")]
            self.indexes[url] = "\n\n".join(reversed(stanzas)) + "\n"
        self.assertEqual(self.run_lock(), first)

    def test_failure_leaves_no_file(self) -> None:
        with open(os.path.join(self.pkgdir, "python.txt"), "a", encoding="utf-8") as f:
            f.write("not-a-package\n")
        with self.assertRaises(dl.LockError):
            self.run_lock()
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual(os.listdir(self.tmp.name), ["packages"])

    def test_empty_roots_file(self) -> None:
        with open(os.path.join(self.pkgdir, "empty.txt"), "w", encoding="utf-8") as f:
            f.write("# nothing yet\n")
        with self.assertRaisesRegex(dl.LockError, r"empty\.txt names no package"):
            self.run_lock()
        self.assertFalse(os.path.exists(self.out))

    def test_main_sid(self) -> None:
        fetched: list[str] = []

        def fetch(url: str) -> bytes:
            fetched.append(url)
            return lzma.compress(self.indexes[MAIN.index_url("amd64")].encode())

        argv = ["--distribution", "sid", "--packages-dir", self.pkgdir]
        with contextlib.redirect_stderr(io.StringIO()):
            code = dl.main([*argv, "--out", self.out], fetch)
        self.assertEqual(code, 0)
        self.assertEqual(
            fetched,
            ["https://deb.debian.org/debian/dists/sid/main/binary-amd64/Packages.xz"],
        )
        with open(self.out, encoding="utf-8") as f:
            lock = json.load(f)
        self.assertEqual(lock["distribution"], "sid")
        self.assertEqual(lock["suites"], ["sid"])
        self.assertEqual(lock["packages"]["python3.11"]["suite"], "sid")
        self.assertEqual(
            lock["packages"]["media-types"]["urls"],
            [
                "https://deb.debian.org/debian/pool/main/m/media-types/"
                "media-types_10.0.0_all.deb"
            ],
        )

    def test_main_default_paths(self) -> None:
        # With no --out/--packages-dir, each distribution reads and writes its
        # own paths, relative to the source tree under `bazel run`.
        workspace = os.path.join(self.tmp.name, "ws")
        for dist in dl.DISTRIBUTIONS.values():
            shutil.copytree(self.pkgdir, os.path.join(workspace, dist.packages_dir))
        env = {"BUILD_WORKSPACE_DIRECTORY": workspace}
        with (
            mock.patch.dict(os.environ, env),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            self.assertEqual(dl.main([], self.fetch, (MAIN,)), 0)
            self.assertEqual(dl.main(["--distribution", "sid"], self.fetch, (MAIN,)), 0)
        for name, dist in dl.DISTRIBUTIONS.items():
            with open(os.path.join(workspace, dist.out), encoding="utf-8") as f:
                self.assertEqual(json.load(f)["distribution"], name)
        self.assertEqual(
            sorted(os.listdir(os.path.join(workspace, "third_party", "debian"))),
            ["debian.lock.json", "packages", "sid", "sid.lock.json"],
        )

    def test_unknown_distribution(self) -> None:
        with (
            contextlib.redirect_stderr(io.StringIO()) as err,
            self.assertRaises(SystemExit),
        ):
            dl.main(["--distribution", "trixie"], self.fetch)
        self.assertIn("invalid choice: 'trixie'", err.getvalue())

    def test_main_reports_error_without_traceback(self) -> None:
        def unreachable(url: str) -> bytes:
            raise dl.LockError(
                f"cannot fetch {url}: refused\nThe network must reach ..."
            )

        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = dl.main(
                ["--out", self.out, "--packages-dir", self.pkgdir], unreachable, (MAIN,)
            )
        self.assertEqual(code, 1)
        self.assertIn(
            "debian_lock: error: cannot fetch https://main.invalid/", err.getvalue()
        )
        self.assertNotIn("Traceback", err.getvalue())
        self.assertFalse(os.path.exists(self.out))

    def test_fetch_url_error_message(self) -> None:
        error = urllib.error.URLError("Name or service not known")
        with (
            mock.patch.object(urllib.request, "urlopen", side_effect=error),
            self.assertRaises(dl.LockError) as cm,
        ):
            dl.fetch_url("https://deb.debian.org/debian/dists/x/Packages.xz")
        message = str(cm.exception)
        self.assertIn(
            "cannot fetch https://deb.debian.org/debian/dists/x/Packages.xz", message
        )
        self.assertIn("deb.debian.org and security.debian.org", message)


if __name__ == "__main__":
    unittest.main()
