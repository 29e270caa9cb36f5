"""Unit tests for debian_lock, the command line (no network)."""

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
from unittest import mock

if __name__ == "__main__" and not __package__:
    # Run as a script (`python3 deb/private/debian_lock_test.py`):
    # put the repo root, two levels up, on sys.path as py_test does.
    _ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from deb.private import debian_lock as dl
from deb.private import packages_index as pi
from deb.private.index_fixtures import (
    MAIN,
    SECURITY,
    SYNTHETIC,
    stanza,
    unsigned,
    with_releases,
)
from rules_common.cli import UserError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class DistributionsTest(unittest.TestCase):
    def test_the_repositorys_distributions_are_data(self) -> None:
        bookworm = dl.load_distribution(
            os.path.join(REPO, "third_party", "debian", "bookworm")
        )
        self.assertEqual((bookworm.name, bookworm.arch), ("bookworm", "amd64"))
        self.assertEqual(
            [s.index_url("amd64") for s in bookworm.suites],
            [
                "https://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz",
                "https://deb.debian.org/debian/dists/bookworm-updates/main/"
                "binary-amd64/Packages.xz",
                "https://security.debian.org/debian-security/dists/bookworm-security/"
                "main/binary-amd64/Packages.xz",
            ],
        )
        self.assertEqual(
            bookworm.suites[2].urls("pool/updates/x.deb"),
            [
                "https://security.debian.org/debian-security/pool/updates/x.deb",
                "https://deb.debian.org/debian-security/pool/updates/x.deb",
            ],
        )
        self.assertTrue(bookworm.out.endswith("third_party/debian/bookworm/lock.json"))
        sid = dl.load_distribution(os.path.join(REPO, "third_party", "debian", "sid"))
        self.assertEqual([s.name for s in sid.suites], ["sid"])
        self.assertTrue(sid.packages_dir.endswith("third_party/debian/sid/packages"))

    def test_bad_distribution_files(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaisesRegex(UserError, "cannot read .*distribution.json"):
                dl.load_distribution(tmp)
            path = os.path.join(tmp, "distribution.json")
            for content, message in (
                ("{", "is not valid JSON"),
                ('{"name": "x", "arch": "amd64"}', "expected name, arch and suites"),
                (
                    '{"name": "x", "arch": "amd64", "suites": [{"name": "x", '
                    '"dists": "http://plain.invalid/", "pools": []}]}',
                    "is not an https:// URL",
                ),
                ('{"name": "x", "arch": "amd64", "suites": []}', "at least one suite"),
            ):
                with open(path, "w", encoding="utf-8") as f:
                    f.write(content)
                with self.subTest(content=content):
                    with self.assertRaisesRegex(UserError, message):
                        dl.load_distribution(tmp)


class PackageEntryTest(unittest.TestCase):
    def test_package_entry(self) -> None:
        (pkg,) = pi.parse_index(stanza("foo", "2.0-1"), SECURITY)
        deb = "pool/main/f/foo/foo_2.0-1_amd64.deb"
        self.assertEqual(
            dl.package_entry(pkg),
            {
                "version": "2.0-1",
                "arch": "amd64",
                "sha256": pkg.sha256,
                "size": 300,
                "filename": deb,
                "suite": "bookworm-security",
                "urls": [
                    f"https://sec.invalid/debian-security/{deb}",
                    f"https://fallback.invalid/debian-security/{deb}",
                ],
            },
        )

    def test_entry_lists_every_suite_that_has_the_file(self) -> None:
        (pkg,) = pi.parse_index(stanza("foo", "2.0-1"), SECURITY)
        deb = "pool/main/f/foo/foo_2.0-1_amd64.deb"
        entry = dl.package_entry(pkg, (MAIN, SECURITY))
        self.assertEqual(entry["also_in"], ["bookworm"])
        self.assertEqual(
            entry["urls"],
            [
                f"https://sec.invalid/debian-security/{deb}",
                f"https://fallback.invalid/debian-security/{deb}",
                f"https://main.invalid/debian/{deb}",
            ],
        )
        # Suites sharing a pool (sid and forky on one mirror) give each URL once.
        (sid,) = pi.parse_index(stanza("foo"), MAIN)
        forky = pi.Suite("forky", MAIN.dists_base, MAIN.pool_bases)
        entry = dl.package_entry(sid, (MAIN, forky))
        self.assertEqual(entry["urls"], dl.package_entry(sid)["urls"])
        self.assertEqual(entry["also_in"], ["forky"])
        self.assertNotIn("also_in", dl.package_entry(pkg, (SECURITY,)))


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
        with self.assertRaisesRegex(UserError, r"has no roots files"):
            dl.discover_groups(self.dir)

    def test_discover_groups_missing_dir(self) -> None:
        missing = os.path.join(self.dir, "nope")
        with self.assertRaisesRegex(
            UserError, rf"packages dir {missing} does not exist"
        ):
            dl.discover_groups(missing)

    def test_discover_groups_bad_name(self) -> None:
        self.write("my group.txt", "x\n")
        with self.assertRaisesRegex(UserError, r"'my group' is not a valid group"):
            dl.discover_groups(self.dir)

    def test_read_list_missing(self) -> None:
        with self.assertRaisesRegex(UserError, r"cannot read .*nope\.txt"):
            dl.read_list(os.path.join(self.dir, "nope.txt"))

    def test_workspace_path(self) -> None:
        with mock.patch.dict(os.environ, {"BUILD_WORKSPACE_DIRECTORY": "/ws"}):
            self.assertEqual(dl.workspace_path("a/b.json"), "/ws/a/b.json")
            self.assertEqual(dl.workspace_path("/abs/b.json"), "/abs/b.json")
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(dl.workspace_path("a/b.json"), "a/b.json")


# main() requires them; these tests inject the verifier instead.
NO_GPGV = ["--gpgv", "unused", "--keyring", "unused"]


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

    def run_lock(self, fetch: pi.Fetcher | None = None) -> str:
        with contextlib.redirect_stderr(io.StringIO()):
            dl.run(
                self.out,
                self.pkgdir,
                "amd64",
                with_releases(fetch or self.fetch, [MAIN, SECURITY], "amd64"),
                [MAIN, SECURITY],
                "bookworm",
                unsigned,
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
        with self.assertRaises(UserError):
            self.run_lock()
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual(os.listdir(self.tmp.name), ["packages"])

    def test_empty_roots_file(self) -> None:
        with open(os.path.join(self.pkgdir, "empty.txt"), "w", encoding="utf-8") as f:
            f.write("# nothing yet\n")
        with self.assertRaisesRegex(UserError, r"empty\.txt names no package"):
            self.run_lock()
        self.assertFalse(os.path.exists(self.out))

    def test_main_sid(self) -> None:
        fetched: list[str] = []

        def fetch(url: str) -> bytes:
            fetched.append(url)
            return lzma.compress(self.indexes[MAIN.index_url("amd64")].encode())

        sid = os.path.join(REPO, "third_party", "debian", "sid")
        argv = ["--distribution", sid, "--packages-dir", self.pkgdir, *NO_GPGV]
        suites = list(dl.load_distribution(sid).suites)
        with contextlib.redirect_stderr(io.StringIO()):
            code = dl.main(
                [*argv, "--out", self.out],
                with_releases(fetch, suites, "amd64"),
                verify=unsigned,
            )
        self.assertEqual(code, 0)
        self.assertEqual(
            set(fetched),
            {"https://deb.debian.org/debian/dists/sid/main/binary-amd64/Packages.xz"},
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
        # With only --distribution, the tool reads DIR/distribution.json and
        # DIR/packages and writes DIR/lock.json, relative to the source tree
        # under `bazel run`.
        workspace = os.path.join(self.tmp.name, "ws")
        dist = os.path.join(workspace, "third_party", "debian", "test")
        shutil.copytree(self.pkgdir, os.path.join(dist, "packages"))
        with open(os.path.join(dist, "distribution.json"), "w", encoding="utf-8") as f:
            json.dump(
                {
                    "name": "test",
                    "arch": "amd64",
                    "suites": [
                        {
                            "name": "x",
                            "dists": "https://x.invalid/",
                            "pools": ["https://x.invalid/"],
                        }
                    ],
                },
                f,
            )
        env = {"BUILD_WORKSPACE_DIRECTORY": workspace}
        with (
            mock.patch.dict(os.environ, env),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            code = dl.main(
                ["--distribution", "third_party/debian/test", *NO_GPGV],
                with_releases(self.fetch, [MAIN], "amd64"),
                (MAIN,),
                unsigned,
            )
        self.assertEqual(code, 0)
        with open(os.path.join(dist, "lock.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["distribution"], "test")
        self.assertEqual(
            sorted(os.listdir(dist)), ["distribution.json", "lock.json", "packages"]
        )

    def test_unknown_distribution(self) -> None:
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = dl.main(
                ["--distribution", "/nonexistent/trixie", *NO_GPGV],
                self.fetch,
                verify=unsigned,
            )
        self.assertEqual(code, 1)
        self.assertIn(
            "cannot read /nonexistent/trixie/distribution.json", err.getvalue()
        )

    def test_main_reports_error_without_traceback(self) -> None:
        def unreachable(url: str) -> bytes:
            raise UserError(f"cannot fetch {url}: refused\nThe network must reach ...")

        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = dl.main(
                [
                    "--distribution",
                    os.path.join(REPO, "third_party", "debian", "bookworm"),
                    "--out",
                    self.out,
                    "--packages-dir",
                    self.pkgdir,
                    *NO_GPGV,
                ],
                unreachable,
                (MAIN,),
                unsigned,
            )
        self.assertEqual(code, 1)
        self.assertIn(
            "debian_lock: error: cannot fetch https://main.invalid/", err.getvalue()
        )
        self.assertNotIn("Traceback", err.getvalue())
        self.assertFalse(os.path.exists(self.out))


if __name__ == "__main__":
    unittest.main()
