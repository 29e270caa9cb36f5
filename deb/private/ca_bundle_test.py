"""Unit tests for ca_bundle (synthetic certificates, no network)."""

from __future__ import annotations

import base64
import contextlib
import io
import os
import sys
import tarfile
import tempfile
import unittest

if __name__ == "__main__" and not __package__:
    # Run as a script (`python3 deb/private/ca_bundle_test.py`):
    # put the repo root, two levels up, on sys.path as py_test does.
    _ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from deb.private import ca_bundle as cb


def pem(seed: int, size: int = 120) -> bytes:
    """A PEM CERTIFICATE block whose body is a fake DER SEQUENCE, 64 columns."""
    der = b"\x30" + bytes((seed + i) % 256 for i in range(size - 1))
    encoded = base64.b64encode(der).decode()
    lines = [encoded[i : i + 64] for i in range(0, len(encoded), 64)]
    return ("\n".join([cb.BEGIN, *lines, cb.END]) + "\n").encode()


class BundleTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.root = os.path.join(self.tmp.name, "root")
        self.certs = cb.cert_dir(self.root)
        os.makedirs(self.certs)
        self.out = os.path.join(self.tmp.name, "ca-certificates.crt")

    def add(self, name: str, data: bytes) -> str:
        path = os.path.join(self.certs, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def bundle(self) -> bytes:
        content, _ = cb.build_bundle(self.root)
        return content


class BuildBundleTest(BundleTestCase):
    def test_concatenates_in_byte_order_of_name(self) -> None:
        # Byte order: upper case before '_' before lower case; not locale order.
        self.add("b_Root.crt", pem(3))
        self.add("A_Root.crt", pem(1))
        self.add("a_Root.crt", pem(2))
        self.add("_Root.crt", pem(4))
        content, count = cb.build_bundle(self.root)
        self.assertEqual(count, 4)
        self.assertEqual(content, pem(1) + pem(4) + pem(2) + pem(3))
        self.assertEqual(
            [os.path.basename(p) for p in cb.list_certs(self.root)],
            ["A_Root.crt", "_Root.crt", "a_Root.crt", "b_Root.crt"],
        )

    def test_adds_missing_trailing_newline(self) -> None:
        self.add("a.crt", pem(1).rstrip(b"\n"))
        self.add("b.crt", pem(2))
        self.assertEqual(self.bundle(), pem(1) + pem(2))
        self.assertTrue(self.bundle().endswith(cb.END.encode() + b"\n"))

    def test_file_kept_as_is(self) -> None:
        # Blank lines around the block are allowed and copied, as
        # update-ca-certificates copies each file verbatim.
        data = b"\n" + pem(1) + b"\n"
        self.add("a.crt", data)
        self.assertEqual(self.bundle(), data)

    def test_several_blocks_in_one_file(self) -> None:
        self.add("chain.crt", pem(1) + pem(2))
        content, count = cb.build_bundle(self.root)
        self.assertEqual((content, count), (pem(1) + pem(2), 2))

    def test_ignores_other_files_and_dirs(self) -> None:
        self.add("a.crt", pem(1))
        self.add("README", b"not a cert\n")
        self.add("a.crt.orig", b"junk\n")
        os.mkdir(os.path.join(self.certs, "sub"))
        with open(os.path.join(self.certs, "sub", "z.crt"), "wb") as f:
            f.write(pem(9))
        # Only mozilla/ counts, not the other dirs of ca-certificates.
        other = os.path.join(self.root, "usr", "share", "ca-certificates", "other")
        os.makedirs(other)
        with open(os.path.join(other, "o.crt"), "wb") as f:
            f.write(pem(8))
        self.assertEqual(self.bundle(), pem(1))

    def test_deterministic(self) -> None:
        for i, name in enumerate(["c.crt", "a.crt", "b.crt"]):
            self.add(name, pem(i))
        first = self.bundle()
        for name in os.listdir(self.certs):
            os.utime(os.path.join(self.certs, name), (0, 0))
        self.assertEqual(self.bundle(), first)


class TarRootTest(BundleTestCase):
    """A root delivered as `root.tar` gives the bundle its directory gives."""

    def tar_root(self) -> str:
        out = os.path.join(self.tmp.name, "root.tar")
        with tarfile.open(out, "w") as tar:
            tar.add(self.root, arcname=".")
        return out

    def test_same_bundle_as_the_directory(self) -> None:
        for i, name in enumerate(["c.crt", "B.crt", "a.crt"]):
            self.add(name, pem(i))
        self.add("notes.txt", b"not a cert")
        os.makedirs(os.path.join(self.certs, "sub"))
        self.assertEqual(cb.build_bundle(self.tar_root()), cb.build_bundle(self.root))

    def test_link_member_is_an_error(self) -> None:
        self.add("a.crt", pem(1))
        os.symlink("a.crt", os.path.join(self.certs, "b.crt"))
        with self.assertRaisesRegex(cb.UserError, "b.crt: not a regular file"):
            cb.build_bundle(self.tar_root())

    def test_no_certs_and_not_a_tar(self) -> None:
        with self.assertRaisesRegex(cb.UserError, "has no usr/share/"):
            cb.build_bundle(self.tar_root())
        bad = os.path.join(self.tmp.name, "bad.tar")
        with open(bad, "wb") as f:
            f.write(b"garbage" * 100)
        with self.assertRaisesRegex(cb.UserError, "cannot read .*bad.tar as a tar"):
            cb.build_bundle(bad)
        cert = self.add("x.crt", b"-----BEGIN CERTIFICATE-----\n")
        with self.assertRaisesRegex(cb.UserError, "root.tar:.*x.crt.*no"):
            cb.build_bundle(self.tar_root())
        os.remove(cert)


class ErrorTest(BundleTestCase):
    def assert_bad(self, data: bytes, pattern: str) -> None:
        path = self.add("bad.crt", data)
        with self.assertRaisesRegex(cb.UserError, pattern) as cm:
            cb.build_bundle(self.root)
        self.assertIn(path, str(cm.exception))

    def test_missing_dir(self) -> None:
        root = os.path.join(self.tmp.name, "empty-root")
        os.mkdir(root)
        with self.assertRaises(cb.UserError) as cm:
            cb.build_bundle(root)
        message = str(cm.exception)
        self.assertIn(cb.cert_dir(root), message)
        self.assertIn("does not exist", message)
        self.assertIn("`certs` group", message)

    def test_empty_dir(self) -> None:
        self.add("README", b"no certificates here\n")
        with self.assertRaises(cb.UserError) as cm:
            cb.build_bundle(self.root)
        message = str(cm.exception)
        self.assertIn(f"{self.certs} has no *.crt file", message)
        self.assertIn("`certs` group", message)

    def test_bad_base64(self) -> None:
        self.assert_bad(
            f"{cb.BEGIN}\nMII!not*base64\n{cb.END}\n".encode(), r"not valid base64"
        )

    def test_bad_padding(self) -> None:
        self.assert_bad(
            f"{cb.BEGIN}\nMIIB\nA\n{cb.END}\n".encode(), r"not valid base64"
        )

    def test_empty_body(self) -> None:
        self.assert_bad(f"{cb.BEGIN}\n{cb.END}\n".encode(), r"not a DER SEQUENCE")

    def test_not_der_sequence(self) -> None:
        body = base64.b64encode(b"\x04hello").decode()
        self.assert_bad(
            f"{cb.BEGIN}\n{body}\n{cb.END}\n".encode(), r"bad\.crt:1: .*DER SEQUENCE"
        )

    def test_other_block_type(self) -> None:
        data = pem(1).replace(b"CERTIFICATE", b"PRIVATE KEY")
        self.assert_bad(data, r"bad\.crt:1: expected '-----BEGIN CERTIFICATE-----'")
        self.assert_bad(
            pem(1).replace(b"CERTIFICATE", b"TRUSTED CERTIFICATE"), r"expected"
        )

    def test_unterminated_block(self) -> None:
        self.assert_bad(pem(1).split(cb.END.encode())[0], r"has no '-----END")

    def test_text_outside_blocks(self) -> None:
        self.assert_bad(b"Subject: CN=x\n" + pem(1), r"bad\.crt:1: expected")
        self.assert_bad(pem(1) + b"trailer\n", r"bad\.crt:\d+: expected")

    def test_no_block(self) -> None:
        self.assert_bad(b"\n\n", r"no '-----BEGIN CERTIFICATE-----' block")

    def test_not_ascii(self) -> None:
        self.assert_bad(pem(1) + "\u00e9\n".encode(), r"not ASCII")


class WriteTest(BundleTestCase):
    def test_main_writes_bundle(self) -> None:
        self.add("b.crt", pem(2))
        self.add("a.crt", pem(1))
        self.assertEqual(cb.main(["--root", self.root, "--out", self.out]), 0)
        with open(self.out, "rb") as f:
            self.assertEqual(f.read(), pem(1) + pem(2))
        self.assertEqual(os.stat(self.out).st_mode & 0o777, 0o644)
        self.assertEqual(
            sorted(os.listdir(self.tmp.name)), ["ca-certificates.crt", "root"]
        )

    def test_main_reports_error_without_traceback(self) -> None:
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = cb.main(["--root", self.root, "--out", self.out])
        self.assertEqual(code, 1)
        self.assertIn(f"ca_bundle: error: {self.certs} has no *.crt", err.getvalue())
        self.assertNotIn("Traceback", err.getvalue())
        self.assertFalse(os.path.exists(self.out))

    def test_bad_cert_keeps_old_bundle(self) -> None:
        with open(self.out, "wb") as f:
            f.write(b"old\n")
        self.add("a.crt", pem(1))
        self.add("b.crt", b"garbage\n")
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(cb.main(["--root", self.root, "--out", self.out]), 1)
        with open(self.out, "rb") as f:
            self.assertEqual(f.read(), b"old\n")

    def test_main_write_error(self) -> None:
        self.add("a.crt", pem(1))
        blocker = os.path.join(self.tmp.name, "a-file")
        with open(blocker, "wb"):
            pass
        out = os.path.join(blocker, "bundle.crt")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(cb.main(["--root", self.root, "--out", out]), 1)
        self.assertIn(f"ca_bundle: error: cannot write {out}", err.getvalue())
        self.assertNotIn("Traceback", err.getvalue())


if __name__ == "__main__":
    unittest.main()
