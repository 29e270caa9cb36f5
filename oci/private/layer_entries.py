"""A layer tar's members, normalised and classified (OCI whiteouts included).

Paths are relative to the image root, '/'-separated, without `./`, leading
or trailing slashes. A member whose path (or hard-link target) would leave
the root through `..` is an error. The image root's own entry (`./`) is
skipped, and so is AUFS metadata (`.wh..wh.*` other than the opaque marker).

Kinds:
- FILE, DIR, SYMLINK (target: the link text), HARDLINK (target: normalised
  path of the linked member), OTHER (devices, fifos);
- WHITEOUT (`dir/.wh.name`; target: `dir/name`, the path it deletes);
- OPAQUE (`dir/.wh..wh..opq`; target: `dir`, "" for the root).
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from rules_common.cli import UserError

FILE = "file"
DIR = "dir"
SYMLINK = "symlink"
HARDLINK = "hardlink"
OTHER = "other"
WHITEOUT = "whiteout"
OPAQUE = "opaque"

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"


@dataclass(frozen=True)
class Entry:
    path: str
    kind: str
    info: tarfile.TarInfo
    target: str | None = None


def split(path: str, label: str, what: str) -> list[str]:
    """Components of a member path; refuses `..` anywhere."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UserError(f"{label}: {what} {path!r} escapes the image root")
    return parts


def classify(info: tarfile.TarInfo, label: str) -> Entry | None:
    parts = split(info.name, label, "entry")
    if not parts:
        return None  # the root directory itself
    path = "/".join(parts)
    base = parts[-1]
    parent = "/".join(parts[:-1])
    if base.startswith(WHITEOUT_PREFIX):
        if base == OPAQUE_MARKER:
            return Entry(path, OPAQUE, info, parent)
        if base.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX):
            return None  # AUFS metadata (.wh..wh.plnk and friends)
        name = base[len(WHITEOUT_PREFIX) :]
        if name in ("", ".", ".."):
            raise UserError(f"{label}: invalid whiteout {info.name!r}")
        return Entry(path, WHITEOUT, info, f"{parent}/{name}" if parent else name)
    if info.isdir():
        return Entry(path, DIR, info)
    if info.issym():
        return Entry(path, SYMLINK, info, info.linkname)
    if info.islnk():
        target = split(info.linkname, label, "hard link target of " + repr(info.name))
        if not target:
            raise UserError(
                f"{label}: hard link {info.name!r} points at the image root"
            )
        return Entry(path, HARDLINK, info, "/".join(target))
    if info.isreg():
        return Entry(path, FILE, info)
    return Entry(path, OTHER, info)


def iter_entries(
    stream: BinaryIO, seekable: bool, label: str
) -> Iterator[tuple[Entry, tarfile.TarFile]]:
    """(entry, tar) pairs; `tar.extractfile(entry.info)` reads a FILE's bytes
    until the iteration advances."""
    try:
        tar = (
            tarfile.open(fileobj=stream, mode="r:")
            if seekable
            else tarfile.open(fileobj=stream, mode="r|")
        )
        with tar:
            for info in tar:
                entry = classify(info, label)
                if entry is not None:
                    yield entry, tar
    except tarfile.TarError as e:
        raise UserError(f"{label}: bad tar: {e}") from None
