"""release: a real signed InRelease verifies with the pinned gpgv and keyring;
tampering with it, with an index it lists, or replaying it after its
Valid-Until, fails naming the file.

The fixture is bookworm-security's InRelease as Debian served it on
2026-12-02 (Date 2026-11-30, Valid-Until 2026-12-07): GPGV and KEYRING come
from the pinned sid .debs (@gpgv, @debian_keyring).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import lzma
import os
import unittest

from deb.private import packages_index as pi
from deb.private import release
from rules_common.cli import UserError

FIXTURE = os.path.join(
    os.path.dirname(__file__), "testdata", "bookworm-security.InRelease"
)
URL = "https://security.debian.org/debian-security/dists/bookworm-security/InRelease"
SECURITY = pi.Suite(
    "bookworm-security",
    "https://security.debian.org/debian-security/",
    ("https://security.debian.org/debian-security/",),
)
DATE = datetime.datetime(2026, 11, 30, 0, 22, 33, tzinfo=datetime.UTC)


def verifier() -> release.Verifier:
    return release.gpgv_verifier(os.environ["GPGV"], os.environ["KEYRING"])


def signed() -> bytes:
    with open(FIXTURE, "rb") as f:
        return f.read()


class SignatureTest(unittest.TestCase):
    def test_the_real_inrelease_verifies(self) -> None:
        text = verifier()(URL, signed())
        parsed = release.parse_release(text, URL)
        self.assertEqual(parsed.date, DATE)
        self.assertEqual(
            parsed.valid_until,
            datetime.datetime(2026, 12, 7, 0, 22, 33, tzinfo=datetime.UTC),
        )
        self.assertIn("main/binary-amd64/Packages.xz", parsed.sha256)
        self.assertNotIn("BEGIN PGP", text)

    def test_a_tampered_inrelease_fails_naming_it(self) -> None:
        data = signed()
        # Another checksum for the amd64 index, as an attacker serving a
        # different Packages.xz would need.
        line_start = data.index(b"main/binary-amd64/Packages.xz") - 80
        tampered = (
            data[:line_start]
            + (b"0" if data[line_start : line_start + 1] != b"0" else b"1")
            + data[line_start + 1 :]
        )
        with self.assertRaises(UserError) as caught:
            verifier()(URL, tampered)
        message = str(caught.exception)
        self.assertIn(URL, message)
        self.assertIn("the signature does not verify", message)

    def test_an_unsigned_release_fails(self) -> None:
        text = verifier()(URL, signed())
        with self.assertRaisesRegex(UserError, "the signature does not verify"):
            verifier()(URL, text.encode())

    def test_missing_gpgv_or_keyring(self) -> None:
        with self.assertRaisesRegex(
            UserError, "the gpgv /nonexistent/gpgv does not exist"
        ):
            release.gpgv_verifier("/nonexistent/gpgv", os.environ["KEYRING"])


class ValidityTest(unittest.TestCase):
    def setUp(self) -> None:
        self.parsed = release.parse_release(verifier()(URL, signed()), URL)

    def test_within_valid_until(self) -> None:
        release.check_valid(self.parsed, DATE + datetime.timedelta(days=6))

    def test_replayed_after_valid_until(self) -> None:
        with self.assertRaises(UserError) as caught:
            release.check_valid(self.parsed, DATE + datetime.timedelta(days=8))
        self.assertIn(
            f"{URL} expired at 2026-12-07T00:22:33+00:00", str(caught.exception)
        )


class IndexChecksumTest(unittest.TestCase):
    def test_an_index_other_than_the_signed_one_fails(self) -> None:
        # What load_index does with the real signed InRelease and a forged
        # Packages.xz: refused before it is parsed, the message saying why.
        forged = lzma.compress(b"Package: evil\nVersion: 1\nArchitecture: amd64\n")

        def fetch(url: str) -> bytes:
            return signed() if url == SECURITY.release_url() else forged

        with (
            contextlib.redirect_stderr(io.StringIO()),
            self.assertRaises(UserError) as caught,
        ):
            pi.load_index([SECURITY], "amd64", fetch, verifier(), DATE)
        message = str(caught.exception)
        self.assertIn("checksum mismatch: " + SECURITY.index_url("amd64"), message)
        self.assertIn("possible tampering; do not regenerate the lock blindly", message)

    def test_expired_release_is_refused_unless_allowed(self) -> None:
        def fetch(url: str) -> bytes:
            return signed() if url == SECURITY.release_url() else b""

        later = DATE + datetime.timedelta(days=30)
        with (
            contextlib.redirect_stderr(io.StringIO()),
            self.assertRaises(UserError) as caught,
        ):
            pi.load_index([SECURITY], "amd64", fetch, verifier(), later)
        self.assertIn("expired at", str(caught.exception))
        # Allowed: a warning, and the index is still checked against the
        # signed checksums (here an empty body: a mismatch).
        with (
            contextlib.redirect_stderr(io.StringIO()) as err,
            self.assertRaises(UserError) as caught,
        ):
            pi.load_index(
                [SECURITY], "amd64", fetch, verifier(), later, allow_expired=True
            )
        self.assertIn("warning (--allow-expired)", err.getvalue())
        self.assertIn("checksum mismatch", str(caught.exception))

    def test_an_index_the_release_does_not_list(self) -> None:
        parsed = release.parse_release(verifier()(URL, signed()), URL)
        with self.assertRaisesRegex(UserError, "lists no main/binary-mips/Packages.xz"):
            release.check_index(parsed, "main/binary-mips/Packages.xz", "u", b"")


if __name__ == "__main__":
    unittest.main()
