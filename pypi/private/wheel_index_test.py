"""Tests for wheel_index.py (no network: PyPI answers are synthetic)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
import tempfile
import unittest
from typing import Any
from unittest import mock

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import index_config, wheel_index
from pypi.private.fake_pypi import LOCK, TARGET, fake_fetch, sha, write_facts
from pypi.private.pip_lock_file import Lock, parse_lock_text
from rules_common.cli import UserError


def lock_from(text: str) -> Lock:
    return Lock(
        path="requirements_lock.txt",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        pins=parse_lock_text(text),
    )


def quiet() -> contextlib.AbstractContextManager[Any]:
    return contextlib.redirect_stderr(io.StringIO())


class LockParsingTest(unittest.TestCase):
    def test_duplicate_pin_fails(self) -> None:
        lock = lock_from("foo==1.0\nbar==2.0\nFoo==1.1\n")
        with self.assertRaisesRegex(UserError, "foo is pinned twice"):
            wheel_index.applicable_pins(lock, TARGET)


class BuildIndexTest(unittest.TestCase):
    def test_index(self) -> None:
        lock = lock_from(LOCK)
        with quiet():
            index = wheel_index.build_index(lock, TARGET, fetch=fake_fetch, jobs=3)
        self.assertEqual(index["lock_sha256"], lock.sha256)
        self.assertEqual(index["python_tag"], "cp311")
        self.assertEqual(index["platform"], "manylinux_2_36_x86_64")
        self.assertEqual(
            list(index["wheels"]), ["tokenizers", "torch", "typing-extensions"]
        )
        torch = index["wheels"]["torch"]
        self.assertEqual(
            torch["filename"], "torch-2.5.1-cp311-cp311-manylinux1_x86_64.whl"
        )
        self.assertEqual(torch["size"], 906)
        self.assertEqual(torch["version"], "2.5.1")
        self.assertTrue(torch["url"].endswith(torch["filename"]))
        self.assertEqual(torch["sha256"], sha(torch["filename"]))
        self.assertEqual(wheel_index.check_index(lock, index, TARGET), [])

    def test_hash_not_in_lock(self) -> None:
        text = LOCK.replace(
            sha("torch-2.5.1-cp311-cp311-manylinux1_x86_64.whl"), "1" * 64
        )
        with (
            quiet(),
            self.assertRaisesRegex(UserError, r"^torch==2\.5\.1: the sha256"),
        ):
            wheel_index.build_index(lock_from(text), TARGET, fetch=fake_fetch)

    def test_no_fitting_wheel_reports_every_package(self) -> None:
        text = LOCK + "sdist-only==1.0 \\\n    --hash=sha256:" + "2" * 64 + "\n"
        text = text.replace('pywin32==306 ; sys_platform == "win32"', "pywin32==306")
        with quiet(), self.assertRaises(UserError) as caught:
            wheel_index.build_index(lock_from(text), TARGET, fetch=fake_fetch)
        message = str(caught.exception)
        self.assertIn("pywin32==306: no wheel fits cp311 manylinux x86_64", message)
        self.assertIn("sdist-only==1.0: no wheel fits cp311 manylinux x86_64", message)
        self.assertIn("sdist_only-1.0.tar.gz", message)

    def test_pin_without_hashes(self) -> None:
        with quiet(), self.assertRaisesRegex(UserError, "no --hash"):
            wheel_index.build_index(
                lock_from("torch==2.5.1\n"), TARGET, fetch=fake_fetch
            )


class ResolvePinTest(unittest.TestCase):
    PIN = parse_lock_text(
        "x==1.0 \\\n    --hash=sha256:" + sha("x-1.0-py3-none-any.whl") + "\n", "lock"
    )[0]

    def test_size_from_head_when_the_page_has_none_and_yanked_skipped(self) -> None:
        files = [
            {
                "filename": "x-1.0-py3-none-any.whl",
                "url": "https://i/x-1.0-py3-none-any.whl",
                "sha256": sha("x-1.0-py3-none-any.whl"),
                "size": None,
                "index": "pt",
            },
            {
                "filename": "x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                "url": "https://i/y.whl",
                "sha256": "0" * 64,
                "size": 1,
                "yanked": True,
                "index": "pt",
            },
        ]
        entry = wheel_index.resolve_pin(self.PIN, files, TARGET, size_of=lambda f: 42)
        self.assertEqual(
            (entry["size"], entry["index"], entry["url"]),
            (42, "pt", "https://i/x-1.0-py3-none-any.whl"),
        )
        with self.assertRaisesRegex(
            UserError, "index pt's entry for x-1.0-py3-none-any.whl lacks its size"
        ):
            wheel_index.resolve_pin(self.PIN, files, TARGET)
        with self.assertRaisesRegex(UserError, r"index pt has: .*\(yanked\)"):
            wheel_index.resolve_pin(self.PIN, files[1:], TARGET)


class CheckTest(unittest.TestCase):
    def setUp(self) -> None:
        self.lock = lock_from(LOCK)
        with quiet():
            self.index = wheel_index.build_index(self.lock, TARGET, fetch=fake_fetch)

    def test_stale_lock_sha(self) -> None:
        self.index["lock_sha256"] = "0" * 64
        self.assertEqual(len(wheel_index.check_index(self.lock, self.index, TARGET)), 1)

    def test_version_and_set_changes(self) -> None:
        text = LOCK.replace("torch==2.5.1", "torch==2.5.0").replace(
            "tokenizers==", "tokenizerz=="
        )
        problems = wheel_index.check_index(lock_from(text), self.index, TARGET)
        joined = "\n".join(problems)
        self.assertIn("torch: wheel is 2.5.1, lock pins 2.5.0", joined)
        self.assertIn("tokenizerz is pinned in the lock but has no wheel", joined)
        self.assertIn("tokenizers has a wheel but is not pinned", joined)

    def test_hash_not_in_lock(self) -> None:
        self.index["wheels"]["torch"]["sha256"] = "f" * 64
        problems = wheel_index.check_index(self.lock, self.index, TARGET)
        self.assertTrue(any("torch: wheel sha256" in p for p in problems), problems)

    def test_a_wheel_from_another_index_than_assigned(self) -> None:
        config = index_config.parse(
            {
                "indexes": [
                    {"name": "pypi", "url": "https://pypi.org/simple/"},
                    {
                        "name": "pytorch",
                        "url": "https://download.pytorch.org/whl/cu124/",
                    },
                ],
                "packages": {"torch": "pytorch"},
            },
            "third_party/x/indexes.json",
        )
        problems = wheel_index.check_index(self.lock, self.index, TARGET, config)
        self.assertIn(
            "torch: its wheel came from index 'pypi', but third_party/x/indexes.json "
            "assigns it 'pytorch'",
            problems,
        )
        self.assertEqual(len(problems), 1, problems)
        del self.index["wheels"]["torch"]["index"]
        problems = wheel_index.check_index(self.lock, self.index, TARGET)
        self.assertIn("torch: its wheel came from index None, but", "\n".join(problems))

    def test_garbage(self) -> None:
        self.assertTrue(wheel_index.check_index(self.lock, [], TARGET))
        self.assertTrue(wheel_index.check_index(self.lock, {"wheels": 3}, TARGET))


class MainTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.root = self.tmp.name
        with open(os.path.join(self.root, "requirements_lock.txt"), "w") as f:
            f.write(LOCK)

    def run_main(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        env = {"BUILD_WORKSPACE_DIRECTORY": self.root}
        with (
            mock.patch.dict(os.environ, env),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = wheel_index.main(
                ["--python-info", write_facts(self.tmp.name), *args], fetch=fake_fetch
            )
        return code, out.getvalue(), err.getvalue()

    def test_write_then_check(self) -> None:
        out = "stack/wheels.lock.json"
        code, _, err = self.run_main("--lock", "requirements_lock.txt", "--out", out)
        self.assertEqual(code, 0, err)
        self.assertIn("3 wheels, 1043 bytes", err)
        path = os.path.join(self.root, out)
        with open(path) as f:
            text = f.read()
        index = json.loads(text)
        self.assertEqual(text, json.dumps(index, indent=2, sort_keys=True) + "\n")
        self.assertEqual(os.listdir(os.path.dirname(path)), ["wheels.lock.json"])

        code, stdout, _ = self.run_main(
            "--check", "--lock", "requirements_lock.txt", "--out", out
        )
        self.assertEqual(code, 0)
        self.assertIn("matches", stdout)

        with open(os.path.join(self.root, "requirements_lock.txt"), "a") as f:
            f.write("# edited\n")
        code, _, err = self.run_main(
            "--check", "--lock", "requirements_lock.txt", "--out", out
        )
        self.assertEqual(code, 1)
        self.assertIn(
            "wheels.lock.json is stale: run `tools/bazel run //:requirements.update`",
            err,
        )
        self.assertNotIn("Traceback", err)

    def test_check_missing_output(self) -> None:
        code, _, err = self.run_main(
            "--check", "--lock", "requirements_lock.txt", "--out", "x.json"
        )
        self.assertEqual(code, 1)
        self.assertIn("is stale", err)
        self.assertIn("does not exist", err)

    def test_failure_leaves_nothing(self) -> None:
        with open(os.path.join(self.root, "requirements_lock.txt"), "a") as f:
            f.write("sdist-only==1.0 --hash=sha256:" + "2" * 64 + "\n")
        code, _, err = self.run_main(
            "--lock", "requirements_lock.txt", "--out", "out/w.json"
        )
        self.assertEqual(code, 1)
        self.assertIn("sdist-only==1.0: no wheel fits cp311 manylinux x86_64", err)
        self.assertNotIn("Traceback", err)
        self.assertFalse(os.path.exists(os.path.join(self.root, "out", "w.json")))

    def test_missing_lock(self) -> None:
        code, _, err = self.run_main("--lock", "nope.txt", "--out", "w.json")
        self.assertEqual(code, 1)
        self.assertIn("cannot read lock file", err)
        self.assertIn("nope.txt", err)


if __name__ == "__main__":
    unittest.main()
