"""oci_push of an attached image, signed with --sign-key, checked by other clients.

A loopback `crane registry serve` (no referrers API, so the attachments go
by the referrers tag). Two cosign key pairs are made in the test; the
private keys are never Bazel inputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import unittest

from oci.private import referrers_registry
from oci.testing import loopback_registry

PASSWORD = "attach-123"


def tool(name: str) -> str:
    return os.path.abspath(os.environ[name])


class PushSignTest(unittest.TestCase):
    tmp: str
    address: str

    @classmethod
    def setUpClass(cls) -> None:
        cls._tmp = tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR"))
        cls.tmp = cls._tmp.name
        cls._registry = loopback_registry(tool("CRANE"))
        cls.address = cls._registry.__enter__()
        for name in ("good", "other"):
            os.mkdir(os.path.join(cls.tmp, name))
            subprocess.run(
                [tool("COSIGN"), "generate-key-pair"],
                cwd=os.path.join(cls.tmp, name),
                env={"COSIGN_PASSWORD": PASSWORD, "HOME": cls.tmp},
                check=True,
                capture_output=True,
            )
        with open(tool("REFERRERS")) as f:
            cls.record = json.load(f)

    @classmethod
    def tearDownClass(cls) -> None:
        cls._registry.__exit__(None, None, None)
        cls._tmp.cleanup()

    def key(self, name: str, part: str = "key") -> str:
        return os.path.join(self.tmp, name, "cosign." + part)

    def run_tool(
        self, argv: list[str], password: str | None = PASSWORD, **env: str
    ) -> subprocess.CompletedProcess[str]:
        environ = dict(os.environ)  # RUNFILES_DIR: the push scripts' runfiles
        # The tools run on their own interpreters, not this test's.
        for name in ("COSIGN_PASSWORD", "PYTHONHOME", "PYTHONPATH", "PYTHONSAFEPATH"):
            environ.pop(name, None)
        if password is not None:
            environ["COSIGN_PASSWORD"] = password
        environ["HOME"] = self.tmp  # cosign's and oras's caches, not the user's
        environ.update(env)
        return subprocess.run(
            argv, capture_output=True, text=True, env=environ, timeout=300, check=False
        )

    def push(self, repository: str, *args: str, script: str = "PUSH", **kw: str):
        return self.run_tool(
            [tool(script), "--repository", f"{self.address}/{repository}", *args], **kw
        )

    def verify(self, ref: str, public: str) -> subprocess.CompletedProcess[str]:
        return self.run_tool(
            [tool("COSIGN"), "verify", "--key", public, "--insecure-ignore-tlog", ref]
        )

    def assert_attachments_at(self, repository: str) -> None:
        """oras discover lists exactly the recorded attachments at `repository`."""
        found = self.run_tool(
            [
                tool("REFERRERS_CHECK"),
                "--oras",
                tool("ORAS"),
                "--referrers",
                tool("REFERRERS"),
                "--repository",
                repository,
                "--plain-http",
            ]
        )
        self.assertEqual(found.returncode, 0, found.stderr)

    def tags(self, repository: str) -> list[str]:
        done = self.run_tool([tool("CRANE"), "ls", f"{self.address}/{repository}"])
        return done.stdout.split() if done.returncode == 0 else []

    def test_signed_push_carries_attachments_and_signatures(self) -> None:
        pushed = self.push("signed", "--sign-key", self.key("good"))
        self.assertEqual(pushed.returncode, 0, pushed.stderr)
        image = self.record["image"]
        repository = f"{self.address}/signed"
        self.assertIn(f"{repository}@{image}", pushed.stdout)
        # oras lists exactly the recorded attachments at the registry: crane's
        # registry has no referrers API, so they came by the referrers tag.
        self.assert_attachments_at(repository)
        self.assertIn("sha256-" + image.split(":")[1], self.tags("signed"))
        # Each of them verifies with the key's public half, and only with it.
        for digest in [image] + [r["digest"] for r in self.record["referrers"]]:
            with self.subTest(digest=digest):
                good = self.verify(f"{repository}@{digest}", self.key("good", "pub"))
                self.assertEqual(good.returncode, 0, good.stderr)
                self.assertIn(digest, good.stdout)
                other = self.verify(f"{repository}@{digest}", self.key("other", "pub"))
                self.assertNotEqual(other.returncode, 0, "verified with another key")
        # A changed manifest under the signature of the first is refused.
        changed = self.push("signed", script="PUSH_CHANGED")
        self.assertEqual(changed.returncode, 0, changed.stderr)
        moved = changed.stdout.strip().rsplit("@", 1)[1]
        self.assertNotEqual(moved, image)
        copy = self.run_tool(
            [
                tool("CRANE"),
                "copy",
                f"{repository}:sha256-{image.split(':')[1]}.sig",
                f"{repository}:sha256-{moved.split(':')[1]}.sig",
            ]
        )
        self.assertEqual(copy.returncode, 0, copy.stderr)
        tampered = self.verify(f"{repository}@{moved}", self.key("good", "pub"))
        self.assertNotEqual(tampered.returncode, 0, "a moved signature verified")

    def test_a_registry_with_the_referrers_api_gets_no_referrers_tag(self) -> None:
        with referrers_registry.serving() as (address, registry):
            repository = f"{address}/api"
            pushed = self.run_tool([tool("PUSH"), "--repository", repository])
            self.assertEqual(pushed.returncode, 0, pushed.stderr)
            image = self.record["image"]
            listed = registry.referrers("api", image)
            self.assertEqual(
                sorted((r["digest"], r["artifactType"]) for r in listed),
                sorted(
                    (r["digest"], r["artifactType"]) for r in self.record["referrers"]
                ),
            )
            self.assertEqual(registry.tags("api"), ["latest"])
            self.assert_attachments_at(repository)

    def test_containers_policy_requires_the_signature(self) -> None:
        self.assertEqual(
            self.push("policy-signed", "--sign-key", self.key("good")).returncode, 0
        )
        self.assertEqual(self.push("policy-unsigned").returncode, 0)
        registries_d = os.path.join(self.tmp, "registries.d")
        os.makedirs(registries_d, exist_ok=True)
        with open(os.path.join(registries_d, "default.yaml"), "w") as f:
            f.write("default-docker:\n  use-sigstore-attachments: true\n")
        policy = os.path.join(self.tmp, "policy.json")
        requirement = {
            "type": "sigstoreSigned",
            "keyPath": self.key("good", "pub"),
            "signedIdentity": {"type": "matchRepository"},
        }
        with open(policy, "w") as f:
            json.dump(
                {
                    "default": [{"type": "reject"}],
                    "transports": {"docker": {self.address: [requirement]}},
                },
                f,
            )
        image = self.record["image"]

        def pull(repository: str) -> subprocess.CompletedProcess[str]:
            dest = tempfile.mkdtemp(dir=self.tmp)
            return self.run_tool(
                [
                    tool("SKOPEO"),
                    "--policy",
                    policy,
                    "--registries.d",
                    registries_d,
                    "copy",
                    "--src-tls-verify=false",
                    "--remove-signatures",
                    f"docker://{self.address}/{repository}@{image}",
                    f"oci:{dest}/layout:pulled",
                ]
            )

        signed = pull("policy-signed")
        self.assertEqual(signed.returncode, 0, signed.stderr)
        unsigned = pull("policy-unsigned")
        self.assertNotEqual(unsigned.returncode, 0, "an unsigned image was accepted")
        self.assertIn(
            "A signature was required, but no signature exists", unsigned.stderr
        )

    def test_a_bad_key_stops_the_push_before_anything_is_sent(self) -> None:
        rsa = os.path.join(self.tmp, "rsa.key")
        with open(rsa, "w") as f:
            f.write(
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"
            )
        cases = [
            (
                "missing",
                os.path.join(self.tmp, "missing.key"),
                PASSWORD,
                "no such file",
            ),
            ("format", rsa, PASSWORD, "not a cosign private key"),
            ("password", self.key("good"), "wrong-pass", "cosign cannot open it"),
            ("nopassword", self.key("good"), None, "set COSIGN_PASSWORD"),
        ]
        for repository, key, password, message in cases:
            with self.subTest(repository):
                done = self.push(repository, "--sign-key", key, password=password)
                self.assertNotEqual(done.returncode, 0)
                self.assertIn(f"--sign-key {key}", done.stderr)
                self.assertIn(message, done.stderr)
                self.assertNotIn("wrong-pass", done.stderr + done.stdout)
                self.assertEqual(self.tags(repository), [], "something was pushed")

    def test_a_relative_key_is_the_callers(self) -> None:
        done = self.push(
            "relative",
            "--sign-key",
            os.path.join("good", "cosign.key"),
            BUILD_WORKING_DIRECTORY=self.tmp,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(
            f"sha256-{self.record['image'].split(':')[1]}.sig", self.tags("relative")
        )


if __name__ == "__main__":
    unittest.main()
