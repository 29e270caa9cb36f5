#!/usr/bin/env python3
"""Recompile a pip-tools lock and the wheels.lock.json that pins its wheel files.

    tools/bazel run //:requirements.update            # rewrite both files
    tools/bazel test --config=network //:requirements_test   # are they current?

pip-compile (pip-tools, from the build_tools lock) runs on the hermetic
Python with every pin hashed, against one loopback index (index_router.py)
that serves each package from the one index the stack's indexes.json
assigns it (`--indexes`; PyPI alone without it); wheel_index then maps each
pin to the one wheel for the target of `--python-info` (the interpreter's
python.json, e.g. cp311 manylinux x86_64, glibc <= 2.36) and records its
index, URL and sha256. The host's pip configuration is ignored, so the lock
depends only on requirements.in and the indexes.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

from pypi.private import index_config, index_router, wheel_index
from pypi.private.index_config import IndexConfig
from rules_common.cli import UserError

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)
"""An explicit proxy may be the only way to PyPI: pip reads these."""

PIP_COMPILE_FLAGS = [
    "--quiet",
    # Wheels only: resolving must never build an sdist (arbitrary code, as root).
    "--pip-args=--only-binary=:all:",
    "--generate-hashes",
    "--allow-unsafe",
    "--strip-extras",
    "--no-emit-index-url",
]


def pip_compile(
    workdir: str,
    requirements_in: str,
    lock: str,
    update_command: str,
    config: IndexConfig,
) -> None:
    """Runs pip-compile in `workdir` on relative paths, which the lock names,
    through the index router: one index, each package from its own."""
    try:
        with index_router.serve(config) as index_url:
            _pip_compile(workdir, requirements_in, lock, update_command, index_url)
    except UserError as e:
        raise SystemExit(f"update_lock: {e}") from None


def _pip_compile(
    workdir: str, requirements_in: str, lock: str, update_command: str, index_url: str
) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", workdir),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "CUSTOM_COMPILE_COMMAND": update_command,
    }
    for passthrough in (
        "SSL_CERT_FILE",
        "PIP_CERT",
        "REQUESTS_CA_BUNDLE",
        "PYTHONHOME",
        *PROXY_VARIABLES,
    ):
        if passthrough in os.environ:
            env[passthrough] = os.environ[passthrough]
    command = [
        sys.executable,
        "-m",
        "piptools",
        "compile",
        *PIP_COMPILE_FLAGS,
        "--index-url",
        index_url,
        "--output-file",
        lock,
        requirements_in,
    ]
    print(f"update_lock: pip-compile {requirements_in} -> {lock}", file=sys.stderr)
    result = subprocess.run(command, cwd=workdir, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"update_lock: pip-compile failed on {requirements_in} "
            f"(exit {result.returncode}); "
            "see its output above. Are the indexes reachable?"
        )


def update(
    workspace: str,
    requirements_in: str,
    lock: str,
    wheels_lock: str,
    update_command: str,
    python_info: str,
    indexes: str | None,
) -> int:
    config = index_config.load(indexes and os.path.join(workspace, indexes))
    pip_compile(workspace, requirements_in, lock, update_command, config)
    return _wheel_index(workspace, lock, wheels_lock, python_info, indexes)


def _wheel_index(
    workspace: str,
    lock: str,
    wheels_lock: str,
    python_info: str,
    indexes: str | None,
    *flags: str,
) -> int:
    """wheel_index on the lock and wheel map of `workspace` (`--check` in flags)."""
    if indexes:
        flags = (*flags, "--indexes", os.path.join(workspace, indexes))
    return wheel_index.main(
        [
            *flags,
            "--python-info",
            python_info,
            "--lock",
            os.path.join(workspace, lock),
            "--out",
            os.path.join(workspace, wheels_lock),
        ]
    )


def check(
    workspace: str,
    requirements_in: str,
    lock: str,
    wheels_lock: str,
    update_command: str,
    python_info: str,
    indexes: str | None,
) -> int:
    """Recompiles into a scratch copy; exits 1 if the committed files are stale."""
    config = index_config.load(indexes and os.path.join(workspace, indexes))
    with tempfile.TemporaryDirectory() as scratch:
        for path in (requirements_in, lock):
            os.makedirs(os.path.join(scratch, os.path.dirname(path)), exist_ok=True)
            shutil.copyfile(os.path.join(workspace, path), os.path.join(scratch, path))
        pip_compile(scratch, requirements_in, lock, update_command, config)
        if not filecmp.cmp(
            os.path.join(scratch, lock), os.path.join(workspace, lock), shallow=False
        ):
            print(
                f"update_lock: {lock} is stale against {requirements_in} and its "
                "indexes: "
                f"run `{update_command}`",
                file=sys.stderr,
            )
            return 1
    status = _wheel_index(workspace, lock, wheels_lock, python_info, indexes, "--check")
    if status == 0:
        print(f"update_lock: {lock} and {wheels_lock} are current", file=sys.stderr)
    return status


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except UserError as e:
        print(f"update_lock: error: {e}", file=sys.stderr)
        return 1


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--requirements-in", required=True)
    parser.add_argument("--lock", required=True)
    parser.add_argument("--wheels-lock", required=True)
    parser.add_argument(
        "--update-command", required=True, help="how users run the update, for messages"
    )
    parser.add_argument(
        "--check", action="store_true", help="compare instead of writing"
    )
    parser.add_argument(
        "--python-info", required=True, help="the target interpreter's python.json"
    )
    parser.add_argument(
        "--indexes", help="the stack's indexes.json, relative to the workspace"
    )
    args = parser.parse_args(argv)
    python_info = os.path.abspath(args.python_info)
    if args.check:
        return check(
            os.getcwd(),
            args.requirements_in,
            args.lock,
            args.wheels_lock,
            args.update_command,
            python_info,
            args.indexes,
        )
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if not workspace:
        print(
            "update_lock: run me with `bazel run` (it sets BUILD_WORKSPACE_DIRECTORY)",
            file=sys.stderr,
        )
        return 2
    return update(
        workspace,
        args.requirements_in,
        args.lock,
        args.wheels_lock,
        args.update_command,
        python_info,
        args.indexes,
    )


if __name__ == "__main__":
    sys.exit(main())
