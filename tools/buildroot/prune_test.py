"""Tests for prune.sh: only output bases whose work tree is gone, and idle, go."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PRUNE = os.path.join(HERE, "prune.sh")


def key(tree: str) -> str:
    """The output base's (and the namespace's) directory name for a work tree."""
    return hashlib.md5(tree.encode()).hexdigest()


class PruneTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.cache = os.path.join(self.tmp, "cache")
        self.output_root = os.path.join(self.cache, "bazel")
        os.makedirs(os.path.join(self.output_root, "cache", "repos"))

    def output_base(self, tree: str) -> str:
        """What building in TREE leaves: output base, namespace state, endpoint rc."""
        base = os.path.join(self.output_root, key(tree))
        os.makedirs(os.path.join(base, "execroot", "_main"))
        with open(
            os.path.join(base, "DO_NOT_BUILD_HERE"), "w", encoding="utf-8"
        ) as marker:
            marker.write(tree)
        os.makedirs(os.path.join(self.output_root, "namespaces", key(tree), "tmp"))
        os.makedirs(os.path.join(self.output_root, "remote-endpoint"), exist_ok=True)
        with open(
            os.path.join(self.output_root, "remote-endpoint", key(tree) + ".bazelrc"),
            "w",
        ) as rc:
            rc.write("")
        return base

    def prune(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "MLIMAGE_CACHE": self.cache,
        }
        return subprocess.run(
            ["bash", PRUNE, *args], env=env, capture_output=True, text=True, check=False
        )

    def test_only_gone_work_trees_lose_their_output_base(self) -> None:
        alive = os.path.join(self.tmp, "clone-alive")
        os.makedirs(alive)
        kept = self.output_base(alive)
        gone = os.path.join(self.tmp, "clone-gone")
        removed = self.output_base(gone)
        result = self.prune()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.isdir(kept))
        self.assertFalse(os.path.exists(removed))
        self.assertFalse(
            os.path.exists(os.path.join(self.output_root, "namespaces", key(gone)))
        )
        self.assertFalse(
            os.path.exists(
                os.path.join(
                    self.output_root, "remote-endpoint", key(gone) + ".bazelrc"
                )
            )
        )
        self.assertIn(f"removing {removed} (", result.stderr)
        self.assertIn(f"its work tree {gone} is gone", result.stderr)
        # The repository cache is not an output base.
        self.assertTrue(os.path.isdir(os.path.join(self.output_root, "cache", "repos")))

    def test_dry_run_removes_nothing(self) -> None:
        removed = self.output_base(os.path.join(self.tmp, "gone"))
        result = self.prune("--dry-run")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("would remove", result.stderr)
        self.assertIn(f"GB free under {self.output_root}", result.stderr)
        self.assertTrue(os.path.isdir(removed))

    def test_a_running_namespace_keeps_its_output_base(self) -> None:
        gone = os.path.join(self.tmp, "gone")
        base = self.output_base(gone)
        # This process stands for the namespace's PID 1.
        with open(f"/proc/{os.getpid()}/stat", encoding="ascii") as stat:
            start = stat.read().rsplit(")", 1)[1].split()[19]
        with open(
            os.path.join(self.output_root, "namespaces", key(gone), "init.pid"), "w"
        ) as pid:
            pid.write(f"{os.getpid()} {start} root:key\n")
        result = self.prune()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.isdir(base))
        self.assertIn("its namespace still runs", result.stderr)

    def test_the_engine_keeps_the_output_base_it_runs_from(self) -> None:
        gone = os.path.join(self.tmp, "gone")
        base = self.output_base(gone)
        state = os.path.join(self.output_root, "remote")
        os.makedirs(state)
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            with open(os.path.join(state, "workspace"), "w", encoding="utf-8") as out:
                out.write(gone + "\n")
            with open(os.path.join(state, "ports"), "w", encoding="utf-8") as out:
                out.write(f"{listener.getsockname()[1]}\n")
            result = self.prune()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.isdir(base))
        self.assertIn("the loopback engine runs from it", result.stderr)

    def test_a_marker_naming_nothing_is_skipped(self) -> None:
        base = self.output_base("")
        result = self.prune()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.isdir(base))

    def test_unknown_arguments_are_refused(self) -> None:
        result = self.prune("--all")
        self.assertEqual(result.returncode, 2)
        self.assertIn("usage", result.stderr)


if __name__ == "__main__":
    unittest.main()
