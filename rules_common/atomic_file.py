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
def atomic_output(
    path: str,
    *,
    mode: int | None = None,
    mtime: int | None = None,
    durable: bool = False,
) -> Iterator[BinaryIO]:
    """Yield a buffered binary file; on success it replaces `path`.

    Missing parent directories are created. `mode` defaults to 0666 less the
    umask, as open() would; `mtime` (seconds) fixes the file's times;
    `durable` fsyncs before the rename (for files a user commits, such as
    locks; not for multi-gigabyte build outputs).
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb", buffering=BUFFER) as f:
            yield f
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, _default_mode() if mode is None else mode)
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_bytes(
    path: str,
    data: bytes,
    *,
    mode: int | None = None,
    mtime: int | None = None,
    durable: bool = False,
) -> None:
    """Write `data` to `path` whole or not at all (see atomic_output)."""
    with atomic_output(path, mode=mode, mtime=mtime, durable=durable) as f:
        f.write(data)


def write_text(path: str, text: str, *, durable: bool = True) -> None:
    """A UTF-8 text file with "\\n" line ends and mode 0644, whole or not at all."""
    write_bytes(path, text.encode("utf-8"), mode=0o644, durable=durable)


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
