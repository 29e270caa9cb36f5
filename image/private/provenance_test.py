"""provenance: the statement for an image and its inputs, and each wrong one named."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import unittest

from image.private import provenance

DIGEST = "sha256:" + "ab" * 32
COMMIT = "0123456789abcdef0123456789abcdef01234567"


class ProvenanceTest(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.layout = os.path.join(self.tmp, "layout")
        os.mkdir(self.layout)
        with open(os.path.join(self.layout, "index.json"), "w") as f:
            json.dump({"manifests": [{"digest": DIGEST}]}, f)
        self.files = {}
        for name, text in (
            ("requirements_lock.txt", "numpy==2.5.5\n"),
            ("lock.json", "{}"),
        ):
            self.files[name] = os.path.join(self.tmp, name)
            with open(self.files[name], "w") as f:
                f.write(text)
        self.stamp = os.path.join(self.tmp, "stable-status.txt")
        with open(self.stamp, "w") as f:
            f.write(f"BUILD_EMBED_LABEL \nSTABLE_GIT_COMMIT {COMMIT}\n")

    def run_tool(self, *extra: str) -> tuple[int, str]:
        argv = ["--layout", self.layout, "--target", "//:image"]
        for name, path in self.files.items():
            argv += ["--dependency", f"{name}={path}"]
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = provenance.main(argv + list(extra))
        return rc, err.getvalue()

    def write(self, stamp: bool = False) -> dict:
        out = os.path.join(self.tmp, "provenance.json")
        rc, err = self.run_tool(
            "--out", out, *(["--stamp-info", self.stamp] if stamp else [])
        )
        self.assertEqual(rc, 0, err)
        with open(out) as f:
            return json.load(f)

    def test_statement_names_the_image_and_each_input(self) -> None:
        doc = self.write()
        self.assertEqual(doc["_type"], "https://in-toto.io/Statement/v1")
        self.assertEqual(doc["predicateType"], "https://slsa.dev/provenance/v1")
        self.assertEqual(
            doc["subject"], [{"name": "//:image", "digest": {"sha256": "ab" * 32}}]
        )
        resolved = doc["predicate"]["buildDefinition"]["resolvedDependencies"]
        sha = hashlib.sha256(b"numpy==2.5.5\n").hexdigest()
        self.assertIn(
            {"name": "requirements_lock.txt", "digest": {"sha256": sha}}, resolved
        )
        self.assertEqual(len(resolved), 2, "no commit unless stamped")

    def test_stamped_statement_names_the_commit(self) -> None:
        resolved = self.write(stamp=True)["predicate"]["buildDefinition"][
            "resolvedDependencies"
        ]
        self.assertEqual(
            resolved[0], {"name": "source", "digest": {"gitCommit": COMMIT}}
        )

    def test_same_inputs_same_bytes(self) -> None:
        self.assertEqual(self.write(), self.write())

    def test_check_passes_and_names_what_is_wrong(self) -> None:
        doc = self.write()
        path = os.path.join(self.tmp, "check.json")

        def check(document: dict) -> tuple[int, str]:
            with open(path, "w") as f:
                json.dump(document, f)
            return self.run_tool("--check", path)

        self.assertEqual(check(doc), (0, ""))
        other = json.loads(json.dumps(doc))
        other["subject"][0]["digest"]["sha256"] = "cd" * 32
        rc, err = check(other)
        self.assertEqual(rc, 1)
        self.assertIn(f"subject is not the image {DIGEST} alone", err)
        with open(self.files["requirements_lock.txt"], "a") as f:
            f.write("scipy==1.16.0\n")  # the lock changed after the statement
        rc, err = check(doc)
        self.assertIn("requirements_lock.txt has another digest", err)
        missing = json.loads(json.dumps(doc))
        missing["predicate"]["buildDefinition"]["resolvedDependencies"].pop()
        self.assertIn("resolvedDependencies lacks", check(missing)[1])
        missing["predicateType"] = "https://slsa.dev/provenance/v0.2"
        self.assertIn("predicateType is", check(missing)[1])

    def test_a_layout_of_no_single_image_is_refused(self) -> None:
        with open(os.path.join(self.layout, "index.json"), "w") as f:
            json.dump({"manifests": []}, f)
        with self.assertRaisesRegex(Exception, "expected one manifest"):
            self.write()


if __name__ == "__main__":
    unittest.main()
