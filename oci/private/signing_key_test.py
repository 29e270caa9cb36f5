"""signing_key: a cosign key is opened before a push; each refusal names the file."""

from __future__ import annotations

import os
import subprocess
import tempfile
import unittest

from oci.private import signing_key
from rules_common import cli

PASSWORD = "correct horse"


class SigningKeyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.cosign = os.path.abspath(os.environ["COSIGN"])
        cls._tmp = tempfile.TemporaryDirectory()
        cls.tmp = cls._tmp.name
        subprocess.run(
            [cls.cosign, "generate-key-pair"],
            cwd=cls.tmp,
            env={"COSIGN_PASSWORD": PASSWORD, "HOME": cls.tmp},
            check=True,
            capture_output=True,
        )
        cls.key = os.path.join(cls.tmp, "cosign.key")

    @classmethod
    def tearDownClass(cls) -> None:
        cls._tmp.cleanup()

    def write(self, name: str, data: bytes) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def check(self, key: str, **env: str) -> str:
        environ = {"HOME": self.tmp, **env}
        old = dict(os.environ)
        os.environ.clear()
        os.environ.update(environ)
        try:
            signing_key.main(["--cosign", self.cosign, key])
        except cli.UserError as exc:
            return str(exc)
        finally:
            os.environ.clear()
            os.environ.update(old)
        return ""

    def test_the_key_with_its_password_opens(self) -> None:
        self.assertEqual(self.check(self.key, COSIGN_PASSWORD=PASSWORD), "")

    def test_a_wrong_password_is_refused_without_echoing_it(self) -> None:
        said = self.check(self.key, COSIGN_PASSWORD="guess-123")
        self.assertIn(f"--sign-key {self.key}: cosign cannot open it", said)
        self.assertIn("nothing was pushed", said)
        self.assertNotIn("guess-123", said)

    def test_no_password_is_refused(self) -> None:
        self.assertIn("set COSIGN_PASSWORD", self.check(self.key))

    def test_files_that_are_not_cosign_keys_are_refused(self) -> None:
        pem = b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"
        cases = {
            os.path.join(self.tmp, "missing.key"): "no such file",
            self.tmp: "not a regular file",
            self.write("rsa.key", pem): "a 'RSA PRIVATE KEY', not a cosign private key",
            self.write("text.key", b"not a key\n"): "0 PEM blocks",
            self.write("big.key", b"x" * (signing_key.MAX_KEY_BYTES + 1)): (
                "more than a key"
            ),
        }
        for path, message in cases.items():
            with self.subTest(path=path):
                said = self.check(path, COSIGN_PASSWORD=PASSWORD)
                self.assertIn(f"--sign-key {path}", said)
                self.assertIn(message, said)


if __name__ == "__main__":
    unittest.main()
