"""Run an image's command as the image would run, and check what it does.

    python3 -m oci.private.image_run --layout DIR --bwrap BWRAP \
        [--arg A ...] [--exit-code N] [--output-file F]

The image is unpacked (image_unpack) into a temporary root, then bubblewrap
runs `Entrypoint + (the --arg values, or else Cmd)` in it as docker would:
the root as `/`, fresh /proc and /dev, the config's User (a uid, a name from
the image's /etc/passwd, with its group), WorkingDir, and Env alone, in
namespaces of its own with no network. stdout and stderr are taken together
(as `docker logs`); with `--exit-code` and `--output-file` (the exact bytes
expected) each difference is reported and the run exits 1. What rules_oci's
example `assert_oci_image_command` checks with a docker engine, here with
none. Only an image for this machine's CPU runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import image_unpack, layout_reader  # noqa: E402
from rules_common import cli  # noqa: E402

PROG = "image_run"
_MACHINES = {"amd64": "x86_64", "arm64": "aarch64"}
MAX_OUTPUT = 16 << 20


def _lookup(root: str, table: str, name: str, what: str) -> tuple[int, int]:
    """(id, primary group id) of `name` in the image's /etc/passwd, or
    (id, id) in its /etc/group."""
    try:
        with open(os.path.join(root, "etc", table), encoding="utf-8") as f:
            for line in f:
                fields = line.rstrip("\n").split(":")
                if len(fields) >= 3 and fields[0] == name:
                    number = int(fields[2])
                    if table == "group":
                        return number, number
                    return number, int(fields[3])
    except (OSError, ValueError, IndexError):
        pass
    raise cli.UserError(f"the image's {what} {name!r} is not in its /etc/{table}")


def user_ids(root: str, user: str) -> tuple[int, int]:
    """The uid and gid a config's `User` means (docker's rules)."""
    if not user:
        return 0, 0
    name, _, group = user.partition(":")
    if name.isdigit():
        uid, gid = int(name), int(name)
        try:
            with open(os.path.join(root, "etc", "passwd"), encoding="utf-8") as f:
                for line in f:
                    fields = line.split(":")
                    if len(fields) >= 4 and fields[2] == name:
                        gid = int(fields[3])
        except (OSError, ValueError):
            pass
    else:
        uid, gid = _lookup(root, "passwd", name, "user")
    if group:
        gid = (
            int(group) if group.isdigit() else _lookup(root, "group", group, "group")[0]
        )
    return uid, gid


def command(config: dict[str, Any], args: Sequence[str]) -> list[str]:
    """Entrypoint, then the given args or else Cmd (`docker run IMAGE ARGS`)."""
    inner = config.get("config") or {}
    argv = list(inner.get("Entrypoint") or []) + list(args or inner.get("Cmd") or [])
    if not argv:
        raise cli.UserError(
            "the image has no Entrypoint or Cmd, and no args were given"
        )
    return argv


def bwrap_argv(
    bwrap: str, root: str, config: dict[str, Any], args: Sequence[str]
) -> list[str]:
    inner = config.get("config") or {}
    uid, gid = user_ids(root, str(inner.get("User") or ""))
    argv = [bwrap, "--bind", root, "/", "--proc", "/proc", "--dev", "/dev"]
    argv += ["--unshare-all", "--die-with-parent", "--new-session"]
    argv += ["--uid", str(uid), "--gid", str(gid)]
    argv += ["--chdir", str(inner.get("WorkingDir") or "/"), "--clearenv"]
    for item in inner.get("Env") or []:
        key, _, value = str(item).partition("=")
        argv += ["--setenv", key, value]
    return [*argv, "--", *command(config, args)]


def run(
    layout: str, bwrap: str, args: Sequence[str], timeout: float
) -> tuple[int, bytes]:
    """Runs the image's command; returns its exit code and its output."""
    image = layout_reader.read_image(layout)
    architecture = str(image.config.get("architecture"))
    if _MACHINES.get(architecture) != platform.machine():
        raise cli.UserError(
            f"the image is for {architecture}; this machine is {platform.machine()}"
        )
    workdir = tempfile.mkdtemp(prefix="image-run-", dir=os.environ.get("TEST_TMPDIR"))
    try:
        root = os.path.join(workdir, "root")
        image_unpack.unpack(layout, root)
        done = subprocess.run(
            bwrap_argv(bwrap, root, image.config, args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
        return done.returncode, done.stdout[:MAX_OUTPUT]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--layout", required=True)
    parser.add_argument("--bwrap", required=True, help="bubblewrap")
    parser.add_argument("--arg", action="append", default=[], help="replaces Cmd")
    parser.add_argument("--exit-code", type=int, help="the exit code expected")
    parser.add_argument("--output-file", help="the output expected, exactly")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv)
    code, output = run(args.layout, os.path.abspath(args.bwrap), args.arg, args.timeout)
    problems = []
    if args.exit_code is not None and code != args.exit_code:
        problems.append(f"exit code {code}, expected {args.exit_code}")
    if args.output_file is not None:
        with open(args.output_file, "rb") as f:
            expected = f.read()
        if output != expected:
            problems.append(f"output {output!r}, expected {expected!r}")
    for problem in problems:
        print(f"{args.layout}: {problem}", file=sys.stderr)
    if not problems:
        print(f"exit code {code}, output {output!r}")
    return 1 if problems else 0


if __name__ == "__main__":
    cli.run(PROG, main)
