"""SHA-256 digests computed while streaming."""

from __future__ import annotations

import hashlib
from typing import BinaryIO

from rules_common.progress import Progress

CHUNK = 1 << 20


class HashingWriter:
    """A write-only file wrapper that hashes and counts what passes through.

    `tell()` is provided because tarfile asks for it when opening for write.
    """

    def __init__(self, out: BinaryIO, progress: Progress | None = None) -> None:
        self._out = out
        self._hash = hashlib.sha256()
        self._progress = progress
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._out.write(data)
        self._hash.update(data)
        n = len(data)
        self.size += n
        if self._progress is not None:
            self._progress.update(n)
        return n

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._out.flush()

    @property
    def digest(self) -> str:
        return "sha256:" + self._hash.hexdigest()


class HashingReader:
    """A read-only file wrapper that hashes and counts what is read."""

    def __init__(self, src: BinaryIO, progress: Progress | None = None) -> None:
        self._src = src
        self._hash = hashlib.sha256()
        self._progress = progress
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._src.read(n)
        self._hash.update(data)
        self.size += len(data)
        if self._progress is not None:
            self._progress.update(len(data))
        return data

    @property
    def digest(self) -> str:
        return "sha256:" + self._hash.hexdigest()


def file_digest(path: str) -> tuple[str, int]:
    """(sha256:<hex>, size) of a file, read in large chunks."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        while True:
            n = f.readinto(buf)
            if not n:
                break
            h.update(view[:n])
            size += n
    return "sha256:" + h.hexdigest(), size


def slice_digest(path: str, offset: int, size: int) -> str:
    """sha256:<hex> of `size` bytes of a file from `offset` (a tar member's data)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        f.seek(offset)
        left = size
        while left:
            data = f.read(min(CHUNK, left))
            if not data:
                raise OSError(f"{path}: ends before byte {offset + size}")
            h.update(data)
            left -= len(data)
    return "sha256:" + h.hexdigest()


def hex_of(digest: str) -> str:
    """The hex part of `sha256:<hex>`; raises ValueError on anything else."""
    algo, _, hexpart = digest.partition(":")
    if (
        algo != "sha256"
        or len(hexpart) != 64
        or any(c not in "0123456789abcdef" for c in hexpart)
    ):
        raise ValueError(f"not a sha256 digest: {digest!r}")
    return hexpart
