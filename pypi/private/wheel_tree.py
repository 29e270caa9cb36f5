"""Unpack one wheel's layer (wheel_install) into a tree for tests to import.

    wheel_tree --layer LAYER.tar --out TREE

TREE stands for the install prefix: the layer's `usr/local/<path>` files land
at `TREE/<path>`, with the layer's modes (0755 or 0644), every mtime
1980-01-01. Only what wheel_install writes is accepted: directories and
regular files below `usr/local`, no link, no path leaving the tree. The
tree holds the bytes of the layer, so the stack gates import what ships.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tarfile
from collections.abc import Sequence

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from rules_common import cli  # noqa: E402
from rules_common.progress import human  # noqa: E402

PROG = "wheel_tree"
PREFIX = "usr/local"
CHUNK = 1 << 20
FIXED_MTIME = 315532800  # 1980-01-01T00:00:00Z, the zip epoch: every installed mtime


def _relative(name: str, layer: str) -> str | None:
    """The member's path below the prefix; None for the prefix's parents."""
    if name in ("usr", PREFIX):
        return None
    parts = name.split("/")
    if (
        not name.startswith(PREFIX + "/")
        or any(part in ("", ".", "..") for part in parts)
        or "\0" in name
    ):
        raise cli.UserError(f"{layer}: member {name!r} is not a path below /{PREFIX}")
    return name[len(PREFIX) + 1 :]


def unpack(layer: str, out: str) -> tuple[int, int]:
    """Unpack `layer` into the empty or missing directory `out`; (files, bytes)."""
    if os.path.lexists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise cli.UserError(f"{out} exists and is not an empty directory")
    os.makedirs(out, exist_ok=True)
    files = size = 0
    try:
        tar = tarfile.open(layer, "r:")
    except (OSError, tarfile.TarError) as e:
        raise cli.UserError(f"cannot read the layer {layer}: {e}") from None
    with tar:
        for info in tar:
            rel = _relative(info.name, layer)
            if rel is None:
                continue
            target = os.path.join(out, *rel.split("/"))
            if info.isdir():
                os.makedirs(target, exist_ok=True)
            elif info.isreg():
                os.makedirs(os.path.dirname(target), exist_ok=True)
                source = tar.extractfile(info)
                assert source is not None
                with source, open(target, "xb") as dest:
                    shutil.copyfileobj(source, dest, CHUNK)
                os.chmod(target, 0o755 if info.mode & 0o111 else 0o644)
                files += 1
                size += info.size
            else:
                raise cli.UserError(
                    f"{layer}: member {info.name!r} is neither a file nor a directory"
                )
    _set_times(out)
    return files, size


def _set_times(root: str) -> None:
    """Directories 0755 and one mtime for everything, bottom-up (as
    install_wheels.finish_tree, for a tree that can hold no link)."""
    for directory, _, names in os.walk(root, topdown=False):
        for name in names:
            os.utime(os.path.join(directory, name), (FIXED_MTIME, FIXED_MTIME))
        os.chmod(directory, 0o755)
        os.utime(directory, (FIXED_MTIME, FIXED_MTIME))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--layer", required=True, help="the wheel's layer tar")
    parser.add_argument("--out", required=True, help="the tree to write")
    args = parser.parse_args(argv)
    files, size = unpack(args.layer, args.out)
    cli.note(PROG, f"{os.path.basename(args.layer)}: {files} files, {human(size)}")
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
