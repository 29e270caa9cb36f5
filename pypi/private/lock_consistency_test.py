"""Tests for lock_consistency.py on synthetic locks and METADATA trees."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))

from pypi.private import lock_consistency
from pypi.private.fake_pypi import TARGET, write_facts

HASH = "--hash=sha256:" + "0" * 64

# name -> (version, Requires-Dist lines)
DISTS: dict[str, tuple[str, list[str]]] = {
    "transformers": (
        "4.46.3",
        [
            "tokenizers<0.21,>=0.20",
            "numpy>=1.17",
            'pywin32; sys_platform == "win32"',
            'pytest; extra == "testing"',
            "huggingface-hub[hf_xet]<1.0,>=0.23.2",
        ],
    ),
    "tokenizers": ("0.20.3", ["huggingface-hub<1.0,>=0.16.4"]),
    "numpy": ("1.26.4", []),
    "huggingface-hub": (
        "0.36.2",
        ['hf-xet<2.0.0,>=1.1.3; extra == "hf-xet"', 'torch; extra == "torch"'],
    ),
    "hf-xet": ("1.8.0", []),
    "uvicorn": ("0.54.0", ["h11>=0.8", 'uvloop>=0.15.1; extra == "standard"']),
    "h11": ("0.16.0", []),
    "uvloop": ("0.21.0", []),
}

REQUIREMENTS_IN = """\
# What the image needs.
transformers==4.46.3
numpy>=1.20,<2  # keep 1.x
uvicorn[standard]

"""


class ConsistencyTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dists = {
            name: (version, list(reqs)) for name, (version, reqs) in DISTS.items()
        }
        self.lock_extra = ""
        self.requirements_in = REQUIREMENTS_IN
        self.installed: dict[str, str] = {}  # overrides: name -> installed version

    def write(self) -> tuple[str, str, str]:
        root = self.tmp.name
        lock = os.path.join(root, "requirements_lock.txt")
        req_in = os.path.join(root, "requirements.in")
        site = os.path.join(root, "site-packages")
        os.makedirs(site, exist_ok=True)
        with open(lock, "w") as f:
            f.write("#\n# pip-compile --generate-hashes\n#\n")
            for name, (version, _) in sorted(self.dists.items()):
                f.write(
                    f"{name}=={version} \\\n    {HASH}\n    # via -r requirements.in\n"
                )
            f.write(self.lock_extra)
        with open(req_in, "w") as f:
            f.write(self.requirements_in)
        for name, (version, reqs) in self.dists.items():
            version = self.installed.get(name, version)
            dist_info = os.path.join(
                site, f"{name.replace('-', '_')}-{version}.dist-info"
            )
            os.makedirs(dist_info, exist_ok=True)
            with open(os.path.join(dist_info, "METADATA"), "w") as f:
                f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
                for req in reqs:
                    f.write(f"Requires-Dist: {req}\n")
                f.write("\nLong description.\nRequires-Dist: not-a-header\n")
        return lock, req_in, site

    def problems(self) -> list[str]:
        problems, _ = lock_consistency.check(*self.write(), TARGET)
        return problems

    def test_consistent(self) -> None:
        problems, summary = lock_consistency.check(*self.write(), TARGET)
        self.assertEqual(problems, [])
        self.assertIn("requirements_lock.txt is consistent: 8 pins", summary)

    def test_missing_transitive_pin(self) -> None:
        del self.dists["tokenizers"]
        self.assertEqual(
            self.problems(),
            [
                "transformers 4.46.3 requires tokenizers<0.21,>=0.20 but the lock has "
                "no pin for tokenizers"
            ],
        )

    def test_duplicated_pin(self) -> None:
        self.lock_extra = f"NumPy==1.26.4 \\\n    {HASH}\n"
        problems = self.problems()
        self.assertEqual(len(problems), 1, problems)
        self.assertRegex(
            problems[0], r"^numpy is pinned 2 times in requirements_lock.txt"
        )

    def test_installed_version_mismatch(self) -> None:
        self.installed["numpy"] = "1.26.3"
        problems = self.problems()
        self.assertEqual(len(problems), 1, problems)
        self.assertRegex(
            problems[0], r"^numpy is pinned at 1\.26\.4 but 1\.26\.3 is installed"
        )

    def test_pin_violates_dependency(self) -> None:
        self.dists["tokenizers"] = ("0.21.0", self.dists["tokenizers"][1])
        self.assertEqual(
            self.problems(),
            [
                "transformers 4.46.3 requires tokenizers<0.21,>=0.20 but the lock pins "
                "tokenizers==0.21.0"
            ],
        )

    def test_pin_violates_requirements_in(self) -> None:
        self.requirements_in = REQUIREMENTS_IN.replace("numpy>=1.20,<2", "numpy>=2")
        self.assertEqual(
            self.problems(),
            ["requirements.in:3 requires numpy>=2 but the lock pins numpy==1.26.4"],
        )

    def test_requirements_in_name_not_pinned(self) -> None:
        self.requirements_in += "setuptools\n"
        self.assertEqual(
            self.problems(),
            [
                "requirements.in:6 requires setuptools but the lock has no pin for "
                "setuptools"
            ],
        )

    def test_marker_that_excludes_is_not_required(self) -> None:
        # pywin32 (sys_platform == "win32") and pytest (extra "testing") are not
        # pinned, and that is fine: test_consistent passes without them.
        self.assertNotIn("pywin32", self.dists)
        self.assertNotIn("pytest", self.dists)
        self.requirements_in += 'colorama; os_name == "nt"\n'
        self.assertEqual(self.problems(), [])

    def test_extra_of_a_dependency_is_required(self) -> None:
        # transformers requires huggingface-hub[hf_xet], which adds hf-xet.
        del self.dists["hf-xet"]
        self.assertEqual(
            self.problems(),
            [
                "huggingface-hub 0.36.2 (extra 'hf-xet') requires hf-xet<2.0.0,>=1.1.3 "
                "but the lock has no pin for hf-xet"
            ],
        )

    def test_extra_in_requirements_in_is_required(self) -> None:
        del self.dists["uvloop"]
        self.assertEqual(
            self.problems(),
            [
                "uvicorn 0.54.0 (extra 'standard') requires uvloop>=0.15.1 but the "
                "lock has no pin for uvloop"
            ],
        )

    def test_installed_but_not_pinned_and_pinned_but_not_installed(self) -> None:
        lock, req_in, site = self.write()
        os.makedirs(os.path.join(site, "stray-1.0.dist-info"))
        with open(os.path.join(site, "stray-1.0.dist-info", "METADATA"), "w") as f:
            f.write("Metadata-Version: 2.1\nName: Stray\nVersion: 1.0\n")
        with open(lock, "a") as f:
            f.write(f"absent==2.0 \\\n    {HASH}\n")
        problems, _ = lock_consistency.check(lock, req_in, site, TARGET)
        self.assertEqual(len(problems), 2, problems)
        self.assertRegex(problems[0], r"^absent==2\.0 is pinned but not installed in ")
        self.assertRegex(problems[1], r"^stray 1\.0 is installed in .* but not pinned")

    def test_lock_pin_excluded_by_marker_is_not_expected(self) -> None:
        self.lock_extra = f'pywin32==306 ; sys_platform == "win32" \\\n    {HASH}\n'
        self.assertEqual(self.problems(), [])

    def test_include_lines_rejected(self) -> None:
        self.requirements_in += (
            "-r other.txt\n-c constraints.txt\n--index-url https://x/\n"
        )
        problems = self.problems()
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("requirements.in:6: `-r` includes another file", problems[0])
        self.assertIn("requirements.in:7: `-c` includes another file", problems[1])

    def test_unpinned_lock_entry(self) -> None:
        self.lock_extra = "loose>=1.0\n"
        problems = self.problems()
        self.assertEqual(len(problems), 1, problems)
        self.assertIn("loose is not pinned to one version", problems[0])

    def test_all_problems_at_once(self) -> None:
        del self.dists["tokenizers"]
        del self.dists["uvloop"]
        self.installed["numpy"] = "2.0.0"
        self.lock_extra = f"h11==0.16.0 \\\n    {HASH}\n"
        self.assertEqual(len(self.problems()), 4)


class MainTest(unittest.TestCase):
    def run_main(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            facts = write_facts(tempfile.mkdtemp())
            code = lock_consistency.main(["--python-info", facts, *args])
        return code, out.getvalue(), err.getvalue()

    def test_exit_codes(self) -> None:
        with tempfile.TemporaryDirectory() as root:
            lock = os.path.join(root, "requirements_lock.txt")
            req_in = os.path.join(root, "requirements.in")
            site = os.path.join(root, "site")
            os.mkdir(site)
            with open(lock, "w") as f:
                f.write(f"a==1.0 \\\n    {HASH}\n")
            with open(req_in, "w") as f:
                f.write("a\n")
            os.mkdir(os.path.join(site, "a-1.0.dist-info"))
            with open(os.path.join(site, "a-1.0.dist-info", "METADATA"), "w") as f:
                f.write("Name: a\nVersion: 1.0\nRequires-Dist: b\n")
            args = (
                "--lock",
                lock,
                "--requirements-in",
                req_in,
                "--site-packages",
                site,
            )

            code, out, err = self.run_main(*args)
            self.assertEqual(code, 1)
            self.assertIn("1 problem", err)
            self.assertIn("a 1.0 requires b but the lock has no pin for b", err)
            self.assertNotIn("Traceback", err)

            with open(os.path.join(site, "a-1.0.dist-info", "METADATA"), "w") as f:
                f.write("Name: a\nVersion: 1.0\n")
            code, out, err = self.run_main(*args)
            self.assertEqual((code, err), (0, ""))
            self.assertEqual(out.count("\n"), 1)
            self.assertIn("is consistent", out)

            code, out, err = self.run_main(
                "--lock",
                lock,
                "--requirements-in",
                req_in,
                "--site-packages",
                site + "x",
            )
            self.assertEqual(code, 2)
            self.assertIn("cannot read site-packages", err)
            self.assertNotIn("Traceback", err)


if __name__ == "__main__":
    unittest.main()
