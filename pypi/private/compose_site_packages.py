"""Compose a stack's ONE install prefix from its wheels' trees, copying nothing.

    compose_site_packages --install TREE:MANIFEST ... --out DIR
        --distributions-out distributions.json

Each `--install` is a wheel_install output: its tree and its manifest. DIR
becomes the stack's prefix (the image's /usr/local), one directory holding
every distribution, as torch needs (its libraries find the nvidia ones
through RPATHs relative to site-packages, `$ORIGIN/../../nvidia/*/lib`):
each file is a relative symbolic link to the file in its wheel's tree, so
the bytes stay where wheel_install wrote them. Tests import from it in
place; a remote worker receives the files themselves.

Refused, naming both wheels: two distributions writing one path with other
content, a file where another writes a directory, one distribution twice.
distributions.json lists each distribution's version, dist-info, files and
executables (relative to the prefix), as the structure gates and lock checks
read it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from pypi.private import install_conflicts  # noqa: E402
from rules_common import atomic_file, cli  # noqa: E402

PROG = "compose_site_packages"


@dataclass(frozen=True)
class Installed:
    key: str
    tree: str
    manifest: str
    version: str
    dist_info: str
    files: dict[str, str]  # prefix-relative path -> sha256
    executables: list[str]


def read_install(arg: str) -> Installed:
    tree, sep, manifest = arg.rpartition(":")
    if not sep or not tree or not manifest:
        raise cli.UserError(f"--install {arg!r}: expected TREE:MANIFEST")
    try:
        with open(manifest, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise cli.UserError(f"cannot read {manifest}: {e}") from None
    if not isinstance(data, dict) or len(data) != 1:
        raise cli.UserError(f"{manifest}: expected one distribution")
    [(key, entry)] = data.items()
    files = entry.get("files") if isinstance(entry, dict) else None
    if not isinstance(files, dict):
        raise cli.UserError(f"{manifest}: {key} has no files")
    return Installed(
        key,
        tree,
        manifest,
        str(entry.get("version", "")),
        str(entry.get("dist_info", "")),
        {str(p): str(sha) for p, sha in files.items()},
        [str(p) for p in entry.get("executables", [])],
    )


def _check_path(path: str, where: str) -> None:
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise cli.UserError(f"{where}: path {path!r} leaves the prefix")


def compose(installs: Sequence[Installed], out: str) -> dict[str, Any]:
    """Link every file into `out` (empty; Bazel makes it); returns
    distributions.json. A failure leaves a partial `out`, which Bazel
    discards with the failed action."""
    seen: dict[str, Installed] = {}
    for inst in installs:
        if inst.key in seen:
            raise cli.UserError(
                f"distribution {inst.key} appears twice: {seen[inst.key].manifest} "
                f"({seen[inst.key].version}) and {inst.manifest} ({inst.version})"
            )
        seen[inst.key] = inst
    ordered = sorted(installs, key=lambda i: i.key)
    problems = install_conflicts.find_conflicts(
        [(f"{i.key} {i.version}", i.files) for i in ordered]
    )
    if problems:
        raise install_conflicts.conflict_error(problems)
    if os.path.lexists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise cli.UserError(f"{out} exists and is not an empty directory")
    os.makedirs(out, exist_ok=True)
    root = os.path.abspath(out)
    linked: set[str] = set()
    for inst in ordered:
        tree = os.path.abspath(inst.tree)
        for path in sorted(inst.files):
            _check_path(path, inst.manifest)
            if path in linked:
                continue  # the same bytes from an earlier wheel (checked above)
            target = os.path.join(tree, path)
            if not os.path.isfile(target):
                raise cli.UserError(f"{inst.manifest} lists {path}, not in {tree}")
            dest = os.path.join(root, path)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.symlink(os.path.relpath(target, os.path.dirname(dest)), dest)
            linked.add(path)
    return {
        i.key: {
            "version": i.version,
            "dist_info": i.dist_info,
            "files": sorted(i.files),
            "executables": sorted(i.executables),
        }
        for i in ordered
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--install", action="append", default=[], help="TREE:MANIFEST")
    parser.add_argument("--out", required=True, help="the prefix to write")
    parser.add_argument("--distributions-out", required=True)
    args = parser.parse_args(argv)
    installs = [read_install(a) for a in args.install]
    if not installs:
        raise cli.UserError("no --install given")
    distributions = compose(installs, args.out)
    atomic_file.write_text(
        args.distributions_out,
        json.dumps(distributions, indent=2, sort_keys=True) + "\n",
        durable=False,
    )
    cli.note(
        PROG,
        f"{len(installs)} distributions, "
        f"{sum(len(i.files) for i in installs)} files linked into {args.out}",
    )
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
