"""Read an OCI image layout directory: index -> manifest -> config -> layers.

Used by the tools that consume layouts (docker_archive, image_unpack,
oci_layout's --base) and by the structure gate. Small JSON blobs (index,
manifest, config) are checked against their digests; layer blobs are checked
by size only here (a full hash is the consumer's choice, see docker_archive).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from oci.private import media_types
from oci.private.digests import CHUNK, hex_of
from rules_common.cli import UserError


@dataclass(frozen=True)
class Layer:
    index: int
    path: str  # the blob file
    digest: str
    size: int
    media_type: str
    compression: str  # media_types.UNCOMPRESSED | GZIP | ZSTD
    diff_id: str
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        return self.annotations.get(media_types.LAYER_NAME_ANNOTATION)

    @property
    def label(self) -> str:
        """How messages refer to this layer."""
        name = f" {self.name!r}" if self.name else ""
        return f"layer {self.index}{name} ({self.digest[:19]}...)"


@dataclass
class Image:
    layout: str
    manifest_descriptor: dict[str, Any]
    manifest: dict[str, Any]
    config_descriptor: dict[str, Any]
    config: dict[str, Any]
    config_bytes: bytes
    layers: list[Layer]


def blob_path(layout: str, digest: str) -> str:
    try:
        return os.path.join(layout, "blobs", "sha256", hex_of(digest))
    except ValueError as e:
        raise UserError(f"{layout}: {e}") from None


def read_blob(layout: str, descriptor: dict[str, Any], what: str) -> bytes:
    """A small blob, checked against the descriptor's digest and size."""
    digest = descriptor.get("digest")
    if not isinstance(digest, str):
        raise UserError(f"{layout}: {what} descriptor has no digest")
    path = blob_path(layout, digest)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise UserError(f"{layout}: {what} blob {digest} is missing") from None
    if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
        raise UserError(f"{layout}: {what} blob {digest} does not match its digest")
    if descriptor.get("size") != len(data):
        raise UserError(
            f"{layout}: {what} blob {digest} has {len(data)} bytes, "
            f"descriptor says {descriptor.get('size')}"
        )
    return data


def _json(data: bytes, where: str) -> dict[str, Any]:
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"{where}: not valid JSON: {e}") from None
    if not isinstance(obj, dict):
        raise UserError(f"{where}: expected a JSON object")
    return obj


def _pick(
    layout: str, index: dict[str, Any], ref: str | None, where: str
) -> dict[str, Any]:
    manifests = index.get("manifests")
    if not isinstance(manifests, list) or not manifests:
        raise UserError(f"{where}: no manifests")
    if not all(isinstance(m, dict) for m in manifests):
        raise UserError(f"{where}: manifests must be objects")
    if ref is not None:
        found = [
            m
            for m in manifests
            if (m.get("annotations") or {}).get(media_types.REF_NAME_ANNOTATION) == ref
        ]
        if len(found) != 1:
            raise UserError(f"{where}: {len(found)} manifests named {ref!r}")
        chosen: dict[str, Any] = found[0]
        return chosen
    if len(manifests) != 1:
        names = [
            (m.get("annotations") or {}).get(media_types.REF_NAME_ANNOTATION)
            for m in manifests
        ]
        raise UserError(f"{where}: {len(manifests)} manifests ({names}); say which one")
    only: dict[str, Any] = manifests[0]
    return only


def platform_text(platform: Any) -> str:
    """`os/architecture[/variant]` of a descriptor's platform ('' if none)."""
    if not isinstance(platform, dict):
        return ""
    return "/".join(
        str(platform[k]) for k in ("os", "architecture", "variant") if platform.get(k)
    )


def _pick_platform(index: dict[str, Any], platform: str, where: str) -> dict[str, Any]:
    manifests = index.get("manifests")
    if not isinstance(manifests, list):
        raise UserError(f"{where}: no manifests")
    found = [
        m
        for m in manifests
        if isinstance(m, dict)
        and (
            platform_text(m.get("platform")) == platform
            or platform_text(m.get("platform")).startswith(platform + "/")
        )
    ]
    if len(found) != 1:
        listed = [
            platform_text(m.get("platform")) for m in manifests if isinstance(m, dict)
        ]
        raise UserError(
            f"{where}: {len(found)} manifests for {platform} (it lists {listed})"
        )
    chosen: dict[str, Any] = found[0]
    return chosen


def _outer_index(layout: str) -> tuple[str, dict[str, Any]]:
    """(path, content) of a layout's index.json, once its oci-layout is checked."""
    marker = os.path.join(layout, "oci-layout")
    try:
        with open(marker, "rb") as f:
            version = _json(f.read(), marker).get("imageLayoutVersion")
    except FileNotFoundError:
        raise UserError(
            f"{layout}: not an OCI image layout (no oci-layout file)"
        ) from None
    if version != media_types.OCI_LAYOUT_VERSION:
        raise UserError(f"{marker}: unsupported imageLayoutVersion {version!r}")
    index_path = os.path.join(layout, "index.json")
    try:
        with open(index_path, "rb") as f:
            return index_path, _json(f.read(), index_path)
    except FileNotFoundError:
        raise UserError(f"{layout}: no index.json") from None


def top_descriptor(layout: str) -> dict[str, Any]:
    """The one descriptor a layout's index.json holds (an image's or an index's)."""
    index_path, outer = _outer_index(layout)
    return _pick(layout, outer, None, index_path)


def read_index(layout: str) -> dict[str, Any]:
    """The image index blob a layout's index.json names (oci_image_index's)."""
    index_path = os.path.join(layout, "index.json")
    try:
        with open(index_path, "rb") as f:
            outer = _json(f.read(), index_path)
    except FileNotFoundError:
        raise UserError(f"{layout}: no index.json") from None
    descriptor = _pick(layout, outer, None, index_path)
    if descriptor.get("mediaType") != media_types.INDEX:
        raise UserError(
            f"{index_path}: names a {descriptor.get('mediaType')!r}, not an index"
        )
    return _json(read_blob(layout, descriptor, "index"), f"{layout}: index")


def read_image(
    layout: str, ref: str | None = None, platform: str | None = None
) -> Image:
    """The image in `layout` (the only one, or the one whose ref name is `ref`).

    In a layout of an image index, `platform` (`os/architecture[/variant]`)
    picks the manifest; without it the index must list only one.
    """
    index_path, index = _outer_index(layout)
    descriptor = _pick(layout, index, ref, index_path)
    if descriptor.get("mediaType") == media_types.INDEX:  # one nested index
        nested = _json(
            read_blob(layout, descriptor, "index"), f"{layout}: nested index"
        )
        where = f"{layout}: nested index {descriptor.get('digest')}"
        descriptor = (
            _pick_platform(nested, platform, where)
            if platform
            else _pick(layout, nested, None, where)
        )
    if descriptor.get("mediaType") not in (
        media_types.MANIFEST,
        media_types.DOCKER_MANIFEST,
    ):
        raise UserError(
            f"{index_path}: unsupported manifest media type "
            f"{descriptor.get('mediaType')!r}"
        )
    manifest = _json(read_blob(layout, descriptor, "manifest"), f"{layout}: manifest")
    config_descriptor = manifest.get("config")
    if not isinstance(config_descriptor, dict):
        raise UserError(f"{layout}: manifest has no config")
    config_bytes = read_blob(layout, config_descriptor, "config")
    config = _json(config_bytes, f"{layout}: config")
    diff_ids = (config.get("rootfs") or {}).get("diff_ids")
    layer_descriptors = manifest.get("layers")
    if not isinstance(diff_ids, list) or not isinstance(layer_descriptors, list):
        raise UserError(
            f"{layout}: config has no rootfs.diff_ids or manifest has no layers"
        )
    if len(diff_ids) != len(layer_descriptors):
        raise UserError(
            f"{layout}: manifest has {len(layer_descriptors)} layers "
            f"but config has {len(diff_ids)} diff_ids"
        )
    layers = []
    for i, (d, diff_id) in enumerate(zip(layer_descriptors, diff_ids, strict=True)):
        media_type = d.get("mediaType", "")
        compression = media_types.layer_compression(media_type)
        if compression is None:
            raise UserError(
                f"{layout}: layer {i} has unsupported media type {media_type!r}"
            )
        path = blob_path(layout, d.get("digest", ""))
        try:
            size = os.stat(path).st_size
        except FileNotFoundError:
            raise UserError(
                f"{layout}: layer {i} blob {d.get('digest')} is missing"
            ) from None
        if size != d.get("size"):
            raise UserError(
                f"{layout}: layer {i} blob {d.get('digest')} has {size} bytes, "
                f"descriptor says {d.get('size')}"
            )
        layers.append(
            Layer(
                index=i,
                path=path,
                digest=d["digest"],
                size=size,
                media_type=media_type,
                compression=compression,
                diff_id=diff_id,
                annotations=dict(d.get("annotations") or {}),
            )
        )
    return Image(
        layout, descriptor, manifest, config_descriptor, config, config_bytes, layers
    )


class _ProcessStream:
    """stdout of a decompressor; remembers whether it was read to the end."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self._out = proc.stdout
        self.eof = False

    def read(self, n: int = -1) -> bytes:
        data = self._out.read(n)
        if not data and n != 0:
            self.eof = True
        return data


@contextlib.contextmanager
def open_layer(
    layer: Layer, zstd: str | None = None
) -> Iterator[tuple[BinaryIO, bool]]:
    """Yield (uncompressed tar stream, seekable) for a layer blob.

    Only uncompressed blobs are seekable (tarfile can then skip file data
    without reading it). zstd runs as `zstd -d -c` from the `zstd` path.
    """
    if layer.compression == media_types.UNCOMPRESSED:
        with open(layer.path, "rb", buffering=CHUNK) as f:
            yield f, True
        return
    if layer.compression == media_types.GZIP:
        with gzip.open(layer.path, "rb") as g:
            try:
                yield g, False  # type: ignore[misc]
            except (gzip.BadGzipFile, EOFError) as e:
                raise UserError(f"{layer.label}: corrupt gzip data: {e}") from None
        return
    if not zstd:
        raise UserError(f"{layer.label} is zstd-compressed: pass --zstd PATH")
    # Through stdin: a layout's blob is a symlink, which zstd skips (with
    # -q, silently) when named as a file.
    with open(layer.path, "rb") as blob:
        try:
            proc = subprocess.Popen(
                [zstd, "-q", "-d", "-c"],
                stdin=blob,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=CHUNK,
            )
        except OSError as e:
            raise UserError(f"cannot run zstd {zstd!r}: {e.strerror}") from None
    stream = _ProcessStream(proc)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        try:
            yield stream, False  # type: ignore[misc]
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if not stream.eof:
            proc.kill()  # the reader stopped early (found what it needed)
            proc.wait()
            return
        err = proc.stderr.read()
        if proc.wait() != 0:
            raise UserError(
                f"{layer.label}: zstd -d failed: {err.decode(errors='replace').strip()}"
            )
    finally:
        proc.stdout.close()
        proc.stderr.close()
