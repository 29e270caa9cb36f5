"""Lint and format-check every Python file of the work tree with the locked ruff.

    tools/bazel run //tools/lint:ruff            # check (what CI runs)
    tools/bazel run //tools/lint:ruff -- --fix   # also apply safe fixes and format

Settings are in ruff.toml. ruff comes from third_party/dev_tools' lock, so the
result does not depend on whatever ruff the host has.
"""

from __future__ import annotations

import os
import subprocess
import sys


def main(argv: list[str]) -> int:
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if not workspace:
        print("ruff: run me with `tools/bazel run //tools/lint:ruff`", file=sys.stderr)
        return 2
    ruff = os.path.abspath(os.environ["RUFF"])
    if "--fix" in argv:
        commands = [[ruff, "check", "--fix", "."], [ruff, "format", "."]]
    else:
        commands = [[ruff, "check", "."], [ruff, "format", "--check", "."]]
    status = 0
    for command in commands:
        print("ruff:", " ".join(command[1:]), file=sys.stderr)
        status |= subprocess.run(command, cwd=workspace, check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
