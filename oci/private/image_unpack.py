"""Unpack an OCI layout's layers, in order, into an empty directory.

    python3 -m oci.private.image_unpack --layout DIR --out ROOT \
        [--zstd PATH] [--ref NAME]

Layers merge with the same overlay semantics as merged_tree.py (what podman
and containerd show at run time): whiteouts (`.wh.<name>`, `.wh..wh..opq`)
remove lower content, a later non-directory replaces a lower directory, and
a later layer's directory replaces a lower symlink or file at that path.

Safety: member paths with `..` are refused, and no symlink is ever followed
while extracting (every parent component is checked to be a real directory),
so nothing is written outside ROOT whatever the links inside point at.
Symlinks are kept as symlinks; hard links become hard links inside ROOT.

Modes are kept, minus setuid/setgid, and made owner-writable (files and
directories) so that ROOT can be deleted without privileges. Ownership and
mtimes are not restored. Devices and fifos are skipped with a note.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import sys
import tarfile
from collections.abc import Sequence

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import layer_entries as le  # noqa: E402
from oci.private import layout_reader  # noqa: E402
from oci.private.digests import CHUNK  # noqa: E402
from rules_common import cli  # noqa: E402
from rules_common.progress import Progress  # noqa: E402

PROG = "image_unpack"
_KEEP_BITS = 0o1777  # permission bits and sticky; no setuid/setgid


class _Layer:
    """Applies one layer's entries to the root."""

    def __init__(self, root: str, label: str, progress: Progress) -> None:
        self.root = root
        self.label = label
        self.progress = progress
        self.added: set[str] = set()  # paths this layer wrote (and their parents)
        self.dirs: set[str] = {""}  # paths known to be real directories now
        self.skipped = 0

    def abs(self, rel: str) -> str:
        return os.path.join(self.root, *rel.split("/")) if rel else self.root

    def fail(self, message: str) -> cli.UserError:
        return cli.UserError(f"{self.label}: {message}")

    # ---- primitives that never follow symlinks

    def _remove(self, rel: str) -> None:
        path = self.abs(rel)
        st = _lstat(path)
        if st is None:
            return
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(path)
        else:
            os.unlink(path)
        self.dirs = {""}  # cheap and rare: forget what we knew

    def _dir(self, rel: str) -> None:
        """Make `rel` a real directory (replacing a lower non-directory)."""
        if rel in self.dirs:
            self.added.add(rel)
            return
        path = self.abs(rel)
        st = _lstat(path)
        if st is None or not stat.S_ISDIR(st.st_mode):
            if st is not None:
                if rel in self.added:
                    raise self.fail(
                        f"/{rel} is used as a directory after this layer made it a "
                        "non-directory"
                    )
                os.unlink(path)
            os.mkdir(path, 0o755)
        self.dirs.add(rel)
        self.added.add(rel)

    def _parents(self, rel: str) -> None:
        parts = rel.split("/")
        for i in range(1, len(parts)):
            self._dir("/".join(parts[:i]))

    def _clear(self, rel: str) -> None:
        """Remove what lower layers put under directory `rel`."""
        path = self.abs(rel)
        for name in sorted(os.listdir(path)):
            child = f"{rel}/{name}" if rel else name
            if child in self.added:
                st = _lstat(self.abs(child))
                if st is not None and stat.S_ISDIR(st.st_mode):
                    self._clear(child)
            else:
                self._remove(child)

    # ---- entries

    def apply(self, entry: le.Entry, tar: tarfile.TarFile) -> None:
        kind = entry.kind
        if kind == le.OPAQUE:
            assert entry.target is not None
            if entry.target:
                self._parents(entry.target)
                self._dir(entry.target)
            self._clear(entry.target)
            return
        if kind == le.WHITEOUT:
            assert entry.target is not None
            self._parents(entry.target)
            if entry.target not in self.added:
                self._remove(entry.target)
            return
        if kind == le.OTHER:
            self.skipped += 1
            return
        rel = entry.path
        self._parents(rel)
        info = entry.info
        path = self.abs(rel)
        if kind == le.DIR:
            self._dir(rel)
            os.chmod(path, (info.mode & _KEEP_BITS) | 0o700)
            return
        st = _lstat(path)
        if st is not None:
            if stat.S_ISDIR(st.st_mode) and rel in self.added:
                raise self.fail(
                    f"/{rel} is a directory earlier in this layer and a {kind} later"
                )
            self._remove(rel)
        self.added.add(rel)
        if kind == le.SYMLINK:
            assert entry.target is not None
            os.symlink(entry.target, path)
        elif kind == le.HARDLINK:
            assert entry.target is not None
            self._hardlink(entry.target, path, rel)
        else:
            src = tar.extractfile(info)
            assert src is not None
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600
            )
            with os.fdopen(fd, "wb", buffering=CHUNK) as out:
                while True:
                    data = src.read(CHUNK)
                    if not data:
                        break
                    out.write(data)
                    self.progress.update(len(data))
            os.chmod(path, (info.mode & _KEEP_BITS) | 0o600)

    def _hardlink(self, target: str, path: str, rel: str) -> None:
        parts = target.split("/")
        for i in range(1, len(parts)):
            st = _lstat(self.abs("/".join(parts[:i])))
            if st is None or not stat.S_ISDIR(st.st_mode):
                raise self.fail(
                    f"hard link /{rel} -> /{target}: "
                    f"/{'/'.join(parts[:i])} is not a directory"
                )
        st = _lstat(self.abs(target))
        if st is None or not stat.S_ISREG(st.st_mode):
            raise self.fail(
                f"hard link /{rel} -> /{target}: target is not a regular file"
            )
        os.link(self.abs(target), path, follow_symlinks=False)


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def unpack(
    layout: str, root: str, *, zstd: str | None = None, ref: str | None = None
) -> None:
    """Unpack the image in `layout` into `root` (created if missing; must be empty)."""
    image = layout_reader.read_image(layout, ref)
    if os.path.lexists(root):
        if not os.path.isdir(root) or os.path.islink(root):
            raise cli.UserError(f"{root}: not a directory")
        if os.listdir(root):
            raise cli.UserError(f"{root}: not empty")
    else:
        os.makedirs(root)
    root = os.path.realpath(root)
    for layer in image.layers:
        progress = Progress(PROG, layer.label)
        applier = _Layer(root, layer.label, progress)
        with layout_reader.open_layer(layer, zstd) as (stream, seekable):
            for entry, tar in le.iter_entries(stream, seekable, layer.label):
                applier.apply(entry, tar)
        if applier.skipped:
            cli.note(
                PROG, f"{layer.label}: skipped {applier.skipped} device/fifo entries"
            )
        progress.finish("unpacked")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--layout", required=True, help="OCI image layout directory")
    parser.add_argument(
        "--out", required=True, help="empty (or missing) directory to unpack into"
    )
    parser.add_argument("--zstd", help="zstd binary, for zstd-compressed layers")
    parser.add_argument(
        "--ref", help="org.opencontainers.image.ref.name to pick from index.json"
    )
    args = parser.parse_args(argv)
    unpack(args.layout, args.out, zstd=args.zstd, ref=args.ref)
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
