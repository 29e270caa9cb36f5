"""Unit tests for locked_debs (no network: URLs are served from a dict)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
import tempfile
import unittest
import urllib.error
from typing import BinaryIO

if __name__ == "__main__" and not __package__:
    _ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from tools.buildroot import locked_debs as ld

SID = "https://sid.invalid/debian/"
FORKY = "https://forky.invalid/debian/"


def entry(name: str, data: bytes, pools: tuple[str, ...] = (SID,)) -> dict[str, object]:
    filename = f"pool/main/{name[0]}/{name}/{name}_1.0-1_amd64.deb"
    return {
        "version": "1.0-1",
        "arch": "amd64",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "filename": filename,
        "suite": "sid",
        **({"also_in": ["forky"]} if len(pools) > 1 else {}),
        "urls": [pool + filename for pool in pools],
    }


class Server:
    """An opener that serves `files` and answers 404 for anything else."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[str] = []

    def __call__(self, url: str) -> BinaryIO:
        self.requests.append(url)
        if url not in self.files:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)  # type: ignore[arg-type]
        return io.BytesIO(self.files[url])


class Case(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        self.cache = os.path.join(self.dir, "debs")
        os.mkdir(self.cache)

    def lock(
        self, packages: dict[str, dict[str, object]], group: list[str] | None = None
    ) -> str:
        path = os.path.join(self.dir, "lock.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(
                {
                    "groups": {"buildroot": group or sorted(packages)},
                    "packages": packages,
                },
                f,
            )
        return path


class LoadTest(Case):
    def test_install_order_puts_base_files_first(self) -> None:
        path = self.lock(
            {n: entry(n, n.encode()) for n in ("bash", "base-files", "aa")}
        )
        names = [deb.name for deb in ld.load_group(path, "buildroot")]
        self.assertEqual(names, ["base-files", "aa", "bash"])

    def test_entries_are_checked_before_anything_is_fetched(self) -> None:
        good = entry("bash", b"x")
        bad = {
            "sha256": dict(good, sha256="abc"),
            "size": dict(good, size=True),
            "filename": dict(good, filename="pool/../../etc/passwd.deb"),
            "http": dict(
                good, urls=["http://sid.invalid/debian/" + str(good["filename"])]
            ),
            "other file": dict(good, urls=[SID + "pool/main/e/evil/evil.deb"]),
            "no urls": dict(good, urls=[]),
        }
        for why, raw in bad.items():
            with self.subTest(why), self.assertRaisesRegex(ld.LockError, "'bash'"):
                ld.load_group(self.lock({"bash": raw}), "buildroot")
        with self.assertRaisesRegex(ld.LockError, "no group 'tools'"):
            ld.load_group(self.lock({"bash": good}), "tools")
        with self.assertRaisesRegex(ld.LockError, r"unlocked \['zsh'\]"):
            ld.load_group(self.lock({"bash": good}, ["bash", "zsh"]), "buildroot")


class FetchTest(Case):
    def deb(self, data: bytes, pools: tuple[str, ...] = (SID, FORKY)) -> ld.Deb:
        (deb,) = ld.load_group(
            self.lock({"bash": entry("bash", data, pools)}), "buildroot"
        )
        return deb

    def test_verified_download_lands_under_its_sha256(self) -> None:
        deb = self.deb(b"bash deb")
        path = ld.fetch(deb, self.cache, Server({deb.urls[0]: b"bash deb"}))
        self.assertEqual(os.path.basename(path), deb.sha256 + ".deb")
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"bash deb")
        # Checked once more and reused: no request at all.
        server = Server({})
        self.assertEqual(ld.fetch(deb, self.cache, server), path)
        self.assertEqual(server.requests, [])

    def test_a_corrupt_cached_copy_is_fetched_again(self) -> None:
        deb = self.deb(b"bash deb")
        with open(os.path.join(self.cache, deb.sha256 + ".deb"), "wb") as f:
            f.write(b"bash dex")
        path = ld.fetch(deb, self.cache, Server({deb.urls[0]: b"bash deb"}))
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"bash deb")

    def test_gone_from_sid_still_comes_from_forky(self) -> None:
        deb = self.deb(b"bash deb")
        server = Server({deb.urls[1]: b"bash deb"})
        ld.fetch(deb, self.cache, server)
        self.assertEqual(server.requests, list(deb.urls))

    def test_gone_everywhere_names_the_file_and_says_relock(self) -> None:
        deb = self.deb(b"bash deb")
        with self.assertRaises(ld.LockError) as raised:
            ld.fetch(deb, self.cache, Server({}))
        message = str(raised.exception)
        self.assertIn(deb.filename, message)
        self.assertIn("bash 1.0-1, listed in sid, forky", message)
        self.assertIn("gone from every suite", message)
        self.assertIn("tools/bazel run //third_party/debian/buildroot:lock", message)
        self.assertIn("HTTP 404", message)
        self.assertEqual(os.listdir(self.cache), [])

    def test_a_changed_file_is_tampering_not_a_relock(self) -> None:
        deb = self.deb(b"bash deb")
        for served in (b"evil deb", b"bash deb" * 1000):
            with self.subTest(len(served)), self.assertRaises(ld.LockError) as raised:
                ld.fetch(deb, self.cache, Server({url: served for url in deb.urls}))
            message = str(raised.exception)
            self.assertIn("possible tampering; do NOT relock", message)
            self.assertIn(deb.sha256, message)
            self.assertEqual(os.listdir(self.cache), [], "nothing half-written left")

    def test_a_too_long_answer_is_cut_at_the_locked_size(self) -> None:
        deb = self.deb(b"bash deb")

        class Endless(io.RawIOBase):
            read_bytes = 0

            def readable(self) -> bool:
                return True

            def read(self, size: int = -1) -> bytes:
                assert 0 < size <= ld.CHUNK
                Endless.read_bytes += size
                return b"x" * size

        with self.assertRaisesRegex(ld.LockError, "got 9 bytes"):
            ld.fetch(deb, self.cache, lambda url: Endless())  # type: ignore[arg-type,return-value]
        self.assertLessEqual(Endless.read_bytes, 2 * (deb.size + 1))

    def test_a_mirror_is_tried_first_and_checked_like_the_rest(self) -> None:
        deb = self.deb(b"bash deb")
        (mirrored,) = ld.with_mirror([deb], "http://mirror.invalid/debian")
        self.assertEqual(
            mirrored.urls, ("http://mirror.invalid/debian/" + deb.filename, *deb.urls)
        )
        server = Server({mirrored.urls[0]: b"evil deb", deb.urls[0]: b"bash deb"})
        ld.fetch(mirrored, self.cache, server)
        self.assertEqual(server.requests, list(mirrored.urls[:2]))
        for bad in ("ftp://x/debian", "http://x/$(id)", "http://x/ debian"):
            with self.subTest(bad), self.assertRaisesRegex(ld.LockError, "mirror"):
                ld.with_mirror([deb], bad)

    def test_fetch_all_reports_every_failure(self) -> None:
        packages = {n: entry(n, n.encode()) for n in ("aa", "bb", "cc")}
        debs = ld.load_group(self.lock(packages), "buildroot")
        server = Server({str(packages["bb"]["urls"][0]): b"bb"})  # type: ignore[index]
        with self.assertRaises(ld.LockError) as raised:
            ld.fetch_all(debs, self.cache, server, jobs=2)
        self.assertIn("aa_1.0-1", str(raised.exception))
        self.assertIn("cc_1.0-1", str(raised.exception))
        lines: list[str] = []
        served = Server({str(p["urls"][0]): n.encode() for n, p in packages.items()})  # type: ignore[index]
        paths = ld.fetch_all(debs, self.cache, served, jobs=2, progress=lines.append)
        self.assertEqual(
            [os.path.basename(p) for p in paths], [d.sha256 + ".deb" for d in debs]
        )
        self.assertEqual(lines, ["3/3 .debs, 0/0 MB checked"])


class CheckTest(Case):
    def setUp(self) -> None:
        super().setUp()
        packages = {n: entry(n, n.encode()) for n in ("bash", "dpkg", "tar")}
        self.path = self.lock(packages)
        self.debs = ld.load_group(self.path, "buildroot")

    def test_exact_match(self) -> None:
        listing = "bash 1.0-1 amd64 ii\ndpkg:amd64 1.0-1 amd64 ii\ntar 1.0-1 amd64 ii\n"
        self.assertEqual(ld.check_installed(self.debs, listing), [])

    def test_every_difference_is_named(self) -> None:
        listing = "bash 1.0-2 amd64 ii\ndpkg 1.0-1 amd64 iU\napt 3.0 amd64 ii\n"
        self.assertEqual(
            ld.check_installed(self.debs, listing),
            [
                "dpkg 1.0-1: dpkg status 'iU', not installed",
                "tar 1.0-1: locked but not installed",
                "apt 3.0: installed but not in the lock",
                "bash: installed 1.0-2 amd64, locked 1.0-1 amd64",
            ],
        )

    def test_main_check_exit_status(self) -> None:
        stdin, stderr = sys.stdin, io.StringIO()
        try:
            sys.stdin = io.StringIO("bash 1.0-1 amd64 ii\n")
            with contextlib.redirect_stderr(stderr):
                status = ld.main(["check", "--lock", self.path, "--group", "buildroot"])
        finally:
            sys.stdin = stdin
        self.assertEqual(status, 1)
        self.assertIn("dpkg 1.0-1: locked but not installed", stderr.getvalue())


if __name__ == "__main__":
    unittest.main()
