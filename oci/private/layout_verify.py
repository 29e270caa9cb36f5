"""Verify every byte of an OCI layout's image against its digests, in place.

What a registry or a runtime checks on pull, read where the layout lies (its
blobs link to the layer tars; nothing is copied): the index, manifest and
config against their digests (layout_reader), then each layer blob read
once: its sha256 against the manifest's digest, its length against the
manifest's size, the sha256 of its uncompressed tar against the config's
diff_id, and the tar itself, which must parse to its end with each path once
and none leaving the image root.
"""

from __future__ import annotations

import hashlib
import tarfile
from typing import BinaryIO

from oci.private import layer_entries, layout_reader, media_types
from oci.private.digests import CHUNK, file_digest
from rules_common.cli import UserError


class _Tee:
    """Reads `src`, hashing and counting what passes."""

    def __init__(self, src: BinaryIO) -> None:
        self._src = src
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._src.read(n)
        self.hash.update(data)
        self.size += len(data)
        return data

    @property
    def digest(self) -> str:
        return "sha256:" + self.hash.hexdigest()


def _tar_digest(stream: BinaryIO, label: str) -> tuple[str, int]:
    """(sha256, size) of the tar read from `stream`, checked as it passes."""
    tee = _Tee(stream)
    _check_tar(tee, label)  # type: ignore[arg-type]
    return tee.digest, tee.size


def _check_tar(stream: BinaryIO, label: str) -> None:
    seen: set[str] = set()
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for info in tar:
                entry = layer_entries.classify(info, label)
                if entry is None:
                    continue
                if entry.path in seen:
                    raise UserError(f"{label}: {entry.path!r} appears twice")
                seen.add(entry.path)
    except tarfile.TarError as e:
        raise UserError(f"{label}: bad tar: {e}") from None
    while stream.read(CHUNK):  # the end-of-archive blocks count towards diff_id
        pass


def verify_layer(layer: layout_reader.Layer, zstd: str | None = None) -> None:
    """Raise UserError naming the layer if any of its checks fails.

    An uncompressed blob is read once (its digest is its diff_id); a
    compressed one twice: as stored, then decompressed.
    """
    if layer.compression == media_types.UNCOMPRESSED:
        with open(layer.path, "rb", buffering=CHUNK) as f:
            digest, size = _tar_digest(f, layer.label)  # type: ignore[arg-type]
        diff_id = digest
    else:
        digest, size = file_digest(layer.path)
        with layout_reader.open_layer(layer, zstd) as (stream, _):
            diff_id, _ = _tar_digest(stream, layer.label)
    if size != layer.size:
        raise UserError(
            f"{layer.label}: the blob has {size} bytes, the manifest says {layer.size}"
        )
    if digest != layer.digest:
        raise UserError(f"{layer.label}: the blob's sha256 is {digest}")
    if diff_id != layer.diff_id:
        raise UserError(
            f"{layer.label}: the uncompressed tar's sha256 is {diff_id}, "
            f"the config's diff_id {layer.diff_id}"
        )


def verify(layout: str, zstd: str | None = None) -> list[str]:
    """What is wrong with the layout's image (empty: every byte checks)."""
    try:
        image = layout_reader.read_image(layout)
    except UserError as e:
        return [str(e)]
    problems = []
    for layer in image.layers:
        try:
            verify_layer(layer, zstd)
        except UserError as e:
            problems.append(f"{layout}: {e}")
    return problems
