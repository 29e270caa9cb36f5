"""cosign_sign and cosign_attest on a loopback registry, checked by cosign verify."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
import time
import unittest

OFFLINE = ["--tlog-upload=false", "--use-signing-config=false"]


def tool(name: str) -> str:
    return os.path.abspath(os.environ[name])


class SignTest(unittest.TestCase):
    registry: subprocess.Popen[bytes]
    host: str
    digest: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        log = open(os.path.join(cls.tmp, "registry.log"), "wb")  # noqa: SIM115
        cls.registry = subprocess.Popen(
            [tool("CRANE"), "registry", "serve", "--address", "localhost:0"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        port = ""
        for _ in range(100):
            with open(log.name) as f:
                found = re.search(r"serving on port (\d+)", f.read())
            if found:
                port = found.group(1)
                break
            time.sleep(0.1)
        assert port, "crane registry did not start"
        cls.host = f"localhost:{port}"
        with open(os.path.join(os.environ["LAYOUT"], "index.json")) as f:
            cls.digest = json.load(f)["manifests"][0]["digest"]
        for name, password in (("good", "123"), ("other", "456")):
            os.mkdir(os.path.join(cls.tmp, name))
            subprocess.run(
                [tool("COSIGN"), "generate-key-pair"],
                cwd=os.path.join(cls.tmp, name),
                env=cls.env(password),
                check=True,
                capture_output=True,
            )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.registry.kill()
        cls.registry.wait()

    @classmethod
    def env(cls, password: str = "123") -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RUNFILES")}
        env["COSIGN_PASSWORD"] = password
        env["HOME"] = cls.tmp  # cosign's cache, not the user's
        return env

    def key(self, name: str, part: str) -> str:
        return os.path.join(self.tmp, name, "cosign." + part)

    def run_tool(
        self, argv: list[str], password: str = "123"
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            input="y\n",
            capture_output=True,
            text=True,
            env=self.env(password),
            cwd=self.tmp,
            timeout=120,
            check=False,
        )

    def push(self, repository: str) -> str:
        ref = f"{self.host}/{repository}@{self.digest}"
        pushed = self.run_tool([tool("CRANE"), "push", tool("LAYOUT"), ref])
        self.assertEqual(pushed.returncode, 0, pushed.stderr)
        return ref

    def verify(self, ref: str, key: str) -> subprocess.CompletedProcess[str]:
        return self.run_tool(
            [tool("COSIGN"), "verify", ref, "--key", key, "--insecure-ignore-tlog"]
        )

    def test_signed_image_verifies_with_its_key_only(self) -> None:
        ref = self.push("signed")
        signed = self.run_tool(
            [
                tool("SIGN"),
                f"--repository={self.host}/signed",
                "--key",
                self.key("good", "key"),
                *OFFLINE,
            ]
        )
        self.assertEqual(signed.returncode, 0, signed.stderr)
        good = self.verify(ref, self.key("good", "pub"))
        self.assertEqual(good.returncode, 0, good.stderr)
        self.assertIn(self.digest, good.stdout)
        other = self.verify(ref, self.key("other", "pub"))
        self.assertNotEqual(other.returncode, 0, "verified with another key")

    def test_unsigned_image_does_not_verify(self) -> None:
        ref = self.push("unsigned")
        self.assertNotEqual(self.verify(ref, self.key("good", "pub")).returncode, 0)

    def test_repository_at_run_time_is_required(self) -> None:
        done = self.run_tool([tool("SIGN_NO_REPO"), "--key", self.key("good", "key")])
        self.assertEqual(done.returncode, 1)
        self.assertIn(
            "ERROR: repository not set. Please pass --repository flag or set the "
            "'repository' attribute in the rule.",
            done.stderr,
        )

    def test_a_tagged_repository_is_refused(self) -> None:
        done = self.run_tool([tool("SIGN_NO_REPO"), "-r", f"{self.host}/app:v1"])
        self.assertEqual(done.returncode, 1)
        self.assertIn("has a tag or digest", done.stderr)

    def test_attestation_carries_the_predicate(self) -> None:
        ref = self.push("attested")
        attested = self.run_tool(
            [
                tool("ATTEST"),
                "--repository",
                f"{self.host}/attested",
                "--key",
                self.key("good", "key"),
                "-y",
                *OFFLINE,
            ]
        )
        self.assertEqual(attested.returncode, 0, attested.stderr)
        verified = self.run_tool(
            [
                tool("COSIGN"),
                "verify-attestation",
                ref,
                "--key",
                self.key("good", "pub"),
                "--type",
                "spdxjson",
                "--insecure-ignore-tlog",
            ]
        )
        self.assertEqual(verified.returncode, 0, verified.stderr)
        envelope = json.loads(verified.stdout.splitlines()[0])
        statement = json.loads(base64.b64decode(envelope["payload"]))
        with open(tool("SBOM")) as f:
            self.assertEqual(statement["predicate"], json.load(f))
        self.assertEqual(statement["subject"][0]["digest"]["sha256"], self.digest[7:])


if __name__ == "__main__":
    unittest.main()
