"""A target of one stack sees its own interpreter and packages, never the other's.

Runs on each stack (tests/BUILD.bazel): OWN_LOCK and OWN_MANIFEST are this
stack's lock and installed-files manifest (distributions.json), OTHER_LOCK and
OTHER_MANIFEST the other stack's. Nothing the other stack alone pins may be
installed or importable here, what both pin must be at this stack's version,
and the interpreter must be this stack's. The same check, run in a child with
the other stack's site-packages (OTHER_SITE_PACKAGES) added to its path, must
fail: the check can see a leak.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import unittest

from gates.private.numpy_gate import SKIPPED_TOP_LEVEL
from pypi.locks import read_lock


def pins(lock: str) -> dict[str, str]:
    return {pin.name: pin.version for pin in read_lock(lock).pins}


def top_level(manifest: dict[str, dict[str, list[str]]], name: str) -> set[str]:
    """The importable top-level names a distribution installs."""
    names = set()
    for path in manifest[name]["files"]:
        parts = path.split("/")
        if "dist-packages" not in parts:
            continue
        rest = parts[parts.index("dist-packages") + 1 :]
        if len(rest) == 1 and rest[0].endswith((".py", ".so")):
            names.add(rest[0].split(".", 1)[0])
        elif len(rest) > 1 and not rest[0].endswith((".dist-info", ".libs", ".data")):
            names.add(rest[0])
    # bitsandbytes 0.45.0 installs a top-level "tests"; ours is //tests.
    return {n for n in names if n.isidentifier() and n not in SKIPPED_TOP_LEVEL}


def leaks() -> list[str]:
    """What this interpreter sees of the other stack; ``[]`` when nothing."""
    own, other = pins(os.environ["OWN_LOCK"]), pins(os.environ["OTHER_LOCK"])
    with open(os.environ["OWN_MANIFEST"], encoding="utf-8") as f:
        own_files = json.load(f)
    with open(os.environ["OTHER_MANIFEST"], encoding="utf-8") as f:
        other_files = json.load(f)
    problems = []
    found = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if found != os.environ["EXPECTED_PYTHON_VERSION"]:
        problems.append(f"runs on Python {found}, not the stack's")
    own_modules = set().union(*(top_level(own_files, n) for n in own_files))
    for name in sorted(set(other) - set(own)):
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            pass
        else:
            problems.append(
                f"{name} {dist.version}, which only the other stack pins, is "
                f"installed here ({dist.locate_file('')})"
            )
        for module in sorted(top_level(other_files, name) - own_modules):
            spec = importlib.util.find_spec(module)
            if spec is not None:
                problems.append(
                    f"import {module} ({name}, the other stack's) would load "
                    f"{spec.origin}"
                )
    for name in sorted(set(other) & set(own)):
        version = importlib.metadata.version(name)
        if version != own[name]:
            problems.append(f"{name} is {version}, this stack pins {own[name]}")
    return problems


class StackIsolationTest(unittest.TestCase):
    def test_nothing_of_the_other_stack_is_visible(self) -> None:
        problems = leaks()
        self.assertEqual(problems, [], "\n".join(problems))

    def test_the_other_stacks_site_packages_on_the_path_is_seen(self) -> None:
        other = os.path.abspath(os.environ["OTHER_SITE_PACKAGES"])
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join([p for p in sys.path if p] + [other]),
        )
        done = subprocess.run(
            [sys.executable, __file__, "--leaks"],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("which only the other stack pins, is installed here", done.stdout)
        self.assertIn("the other stack's) would load " + other, done.stdout)


if __name__ == "__main__":
    if sys.argv[1:] == ["--leaks"]:
        found = leaks()
        print("\n".join(found))
        sys.exit(1 if found else 0)
    unittest.main()
