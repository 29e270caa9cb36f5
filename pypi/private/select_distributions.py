"""Select distributions from a site-packages manifest: the paths one layer takes.

    python3 -m pypi.private.select_distributions --manifest distributions.json \
        [--include 'nvidia-*' ...] [--exclude torch ...] --out paths.txt \
        --executables-out executables.txt

The manifest is install_wheels.py's `distributions.json`: `{"<name>":
{"version", "dist_info", "files": [prefix-relative paths], "executables":
[those of the files installed executable]}}`. `--include` and
`--exclude` are fnmatch patterns matched against normalised project names
(`nvidia-*` matches `nvidia_cublas_cu12`); no `--include` means every
distribution. An include pattern that matches nothing is an error (a typo
would otherwise silently empty the layer). Writes the selected files, one per
line, for an image layer's `paths_from`, and the executables among them for
its `executables_from` (the installer's word, not the disk's: Bazel does not
carry execute bits to a remote worker).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from packaging.utils import canonicalize_name

from tools.pylib import atomic_file, cli
from tools.pylib.cli import UserError

PROG = "select_distributions"


def read_manifest(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except FileNotFoundError:
        raise UserError(f"manifest {path!r} does not exist") from None
    except json.JSONDecodeError as e:
        raise UserError(f"manifest {path!r} is not valid JSON: {e}") from None
    if not isinstance(manifest, dict):
        raise UserError(f"manifest {path!r}: expected an object of distributions")
    return manifest


def select(
    manifest: Mapping[str, Any], include: Sequence[str], exclude: Sequence[str]
) -> list[str]:
    """The names of the selected distributions, sorted."""
    names = sorted(manifest)
    normal = {n: canonicalize_name(n) for n in names}
    inc = [canonicalize_name(p) for p in include]
    exc = [canonicalize_name(p) for p in exclude]
    for pattern, original in zip(inc, include, strict=True):
        if not any(fnmatch.fnmatchcase(normal[n], pattern) for n in names):
            raise UserError(
                f"include pattern {original!r} matches no distribution in the manifest"
            )
    return [
        n
        for n in names
        if (not inc or any(fnmatch.fnmatchcase(normal[n], p) for p in inc))
        and not any(fnmatch.fnmatchcase(normal[n], p) for p in exc)
    ]


def _string_list(dist: object, name: str, key: str) -> list[str]:
    value = dist.get(key) if isinstance(dist, dict) else None
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise UserError(f"manifest: {name!r} needs {key!r}, a list of strings")
    return value


def selected_paths(manifest: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    paths: list[str] = []
    for name in names:
        files = _string_list(manifest[name], name, "files")
        for rel in files:
            parts = rel.split("/")
            if rel.startswith("/") or ".." in parts:
                raise UserError(
                    f"distribution {name!r} lists {rel!r}: not a relative path"
                )
        paths.extend(files)
    return paths


def selected_executables(
    manifest: Mapping[str, Any], names: Sequence[str]
) -> list[str]:
    """The executables of the selected distributions; each must be one of its files."""
    executables: list[str] = []
    for name in names:
        listed = _string_list(manifest[name], name, "executables")
        files = set(_string_list(manifest[name], name, "files"))
        stray = sorted(set(listed) - files)
        if stray:
            raise UserError(
                f"distribution {name!r} lists executable {stray[0]!r}, "
                "which is not one of its files"
            )
        executables.extend(listed)
    return executables


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--include", action="append", default=[])
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--out", required=True)
    parser.add_argument("--executables-out")
    args = parser.parse_args(argv)
    manifest = read_manifest(args.manifest)
    names = select(manifest, args.include, args.exclude)
    paths = selected_paths(manifest, names)
    executables = selected_executables(manifest, names)
    atomic_file.write_text(args.out, "".join(p + "\n" for p in paths), durable=False)
    if args.executables_out:
        text = "".join(p + "\n" for p in executables)
        atomic_file.write_text(args.executables_out, text, durable=False)
    return 0


if __name__ == "__main__":
    sys.exit(cli.guarded(PROG, main, None))
