"""Outputs appear whole or not at all: write a sibling temp, then os.replace."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

BUFFER = 1 << 20


def _default_mode(base: int = 0o666) -> int:
    """`base` with the process umask applied, as open() would."""
    umask = os.umask(0)
    os.umask(umask)
    return base & ~umask


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[BinaryIO]:
    """Yield a buffered binary file; on success it replaces `path`."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb", buffering=BUFFER) as f:
            yield f
        os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_bytes(path: str, data: bytes) -> None:
    with atomic_output(path) as f:
        f.write(data)


@contextlib.contextmanager
def atomic_directory(path: str, marker: str) -> Iterator[str]:
    """Yield a sibling temp directory; on success it replaces `path`.

    An existing `path` is replaced only if it is empty or holds `marker`
    (a file proving it is an earlier output of the same kind), so a wrong
    `--out` never deletes someone's data.
    """
    path = os.path.abspath(path)
    if os.path.lexists(path):
        if not os.path.isdir(path) or os.path.islink(path):
            raise FileExistsError(f"{path}: exists and is not a directory")
        if os.listdir(path) and not os.path.isfile(os.path.join(path, marker)):
            raise FileExistsError(
                f"{path}: not empty and has no {marker}; refusing to replace it"
            )
    parent = os.path.dirname(path)
    tmp = tempfile.mkdtemp(
        dir=parent, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
    )
    try:
        yield tmp
        os.chmod(tmp, _default_mode(0o777))
        if os.path.lexists(path):
            old = tempfile.mkdtemp(
                dir=parent, prefix=f".{os.path.basename(path)}.", suffix=".old"
            )
            os.rmdir(old)
            os.rename(path, old)
            os.rename(tmp, path)
            shutil.rmtree(old)
        else:
            os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
