"""Convert an OCI image layout into an archive `docker load` / `podman load` read.

    python3 -m oci.private.docker_archive --layout DIR --out image.tar|- \
        --repo-tag name:tag [--repo-tag ...] [--repo-tags-file FILE] \
        [--format docker|oci] [--zstd PATH] [--ref NAME]

`--format oci` (rules_oci's `format = "oci"`) writes the layout itself as a
tar: `oci-layout`, `blobs/sha256/*` as they are (compressed layers stay
compressed) and an `index.json` with one entry per tag, named by the
`org.opencontainers.image.ref.name` annotation. The default, `docker`:

The archive (what `docker load` and `podman load` read) holds:
- `<config hex>.json`: the image config, byte for byte the layout's blob
  (so the image ID is the config digest);
- `<diff_id hex>/layer.tar` for each layer, always uncompressed: gzip layers
  are decompressed with Python, zstd ones with `--zstd PATH`, while streaming;
  every layer's bytes are checked against the config's diff_id on the way;
- `manifest.json`: `[{"Config": ..., "RepoTags": [...], "Layers": [...]}]`;
- `repositories`: `{"<repo>": {"<tag>": "<top layer id>"}}` for old loaders.

Members are sorted by name, with mtime 0, owner 0:0, modes 0644/0755, in
GNU tar headers (sizes past 8 GiB use base-256 numbers). The same layout and
tags always give the same bytes. The output must be a seekable file (each
layer's header is written after its size is known).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tarfile
from collections.abc import Callable, Sequence
from typing import BinaryIO

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import canonical_json, layout_reader, media_types  # noqa: E402
from oci.private.digests import CHUNK, hex_of  # noqa: E402
from rules_common import atomic_file, cli  # noqa: E402
from rules_common.progress import Progress, human  # noqa: E402

PROG = "docker_archive"
BLOCK = tarfile.BLOCKSIZE
RECORD = tarfile.RECORDSIZE


def _header(name: str, size: int, directory: bool = False) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    info.mode = 0o755 if directory else 0o644
    info.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    data = info.tobuf(format=tarfile.GNU_FORMAT, encoding="utf-8", errors="strict")
    assert len(data) == BLOCK, name  # names here are short: no GNU long-name blocks
    return data


def _pad(out: BinaryIO, size: int) -> None:
    out.write(b"\0" * (-size % BLOCK))


def _add_bytes(out: BinaryIO, name: str, data: bytes) -> None:
    out.write(_header(name, len(data)))
    out.write(data)
    _pad(out, len(data))


def _add_layer(
    out: BinaryIO, name: str, layer: layout_reader.Layer, zstd: str | None
) -> None:
    """Stream the layer's uncompressed bytes as member `name`, checking its diff_id.

    On a file the header is written last (the size is known at the end); on a
    stream (`--out -`) it must come first: an uncompressed blob's size is its
    descriptor's, a compressed one is read once more to count it.
    """
    seekable = not isinstance(out, _Counting)
    start = out.tell()
    expected = None if seekable else _uncompressed_size(layer, zstd)
    out.write(_header(name, expected or 0))
    digest = hashlib.sha256()
    size = 0
    progress = Progress(PROG, layer.label)
    with layout_reader.open_layer(layer, zstd) as (stream, _):
        while True:
            data = stream.read(CHUNK)
            if not data:
                break
            out.write(data)
            digest.update(data)
            size += len(data)
            progress.update(len(data))
    if "sha256:" + digest.hexdigest() != layer.diff_id:
        raise cli.UserError(
            f"{layer.label}: uncompressed content is sha256:{digest.hexdigest()}, "
            f"but the config's diff_id is {layer.diff_id}"
        )
    if expected is not None and size != expected:
        raise cli.UserError(
            f"{layer.label}: {size} uncompressed bytes, but {expected} were announced"
        )
    _pad(out, size)
    if seekable:
        end = out.tell()
        out.seek(start)
        out.write(_header(name, size))
        out.seek(end)
    progress.finish(f"{human(size)} written")


def _uncompressed_size(layer: layout_reader.Layer, zstd: str | None) -> int:
    if layer.compression == media_types.UNCOMPRESSED:
        return layer.size
    size = 0
    with layout_reader.open_layer(layer, zstd) as (stream, _):
        while data := stream.read(CHUNK):
            size += len(data)
    return size


def _split_tag(repo_tag: str) -> tuple[str, str]:
    repo, sep, tag = repo_tag.rpartition(":")
    if not sep or not repo or not tag or "/" in tag:
        raise cli.UserError(f"--repo-tag {repo_tag!r}: expected NAME:TAG")
    return repo, tag


def write_oci_archive(layout: str, out: str, repo_tags: Sequence[str]) -> None:
    """The layout as an OCI archive, one index entry per tag (sizes known: streams).

    The entry is the layout's own: an image's manifest, or an image index
    (rules_oci loads an index only so).
    """
    top = layout_reader.top_descriptor(layout)
    if top.get("mediaType") != media_types.INDEX:
        layout_reader.read_image(layout)  # checks the image before it is loaded
    for tag in repo_tags:
        _split_tag(tag)
    entries = [
        {
            **top,
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }
        for tag in repo_tags
    ] or [top]
    index = {"schemaVersion": 2, "manifests": entries}
    blobs_dir = os.path.join(layout, "blobs", "sha256")
    blobs = sorted(os.listdir(blobs_dir))

    def write_members(f: BinaryIO) -> None:
        f.write(_header("blobs/", 0, directory=True))
        f.write(_header("blobs/sha256/", 0, directory=True))
        for name in blobs:
            path = os.path.join(blobs_dir, name)
            size = os.path.getsize(path)
            f.write(_header("blobs/sha256/" + name, size))
            with open(path, "rb") as blob:
                while data := blob.read(CHUNK):
                    f.write(data)
            _pad(f, size)
        _add_bytes(f, "index.json", canonical_json.dumps(index))
        _add_bytes(
            f, "oci-layout", canonical_json.dumps({"imageLayoutVersion": "1.0.0"})
        )
        f.write(b"\0" * (2 * BLOCK))
        f.write(b"\0" * (-f.tell() % RECORD))

    _write_out(out, write_members)


def _write_out(out: str, write_members: Callable[[BinaryIO], None]) -> None:
    if out == "-":
        # Streamed (into `docker load` or `podman load`): nothing on disk.
        stream = _Counting(sys.stdout.buffer)
        write_members(stream)  # type: ignore[arg-type]
        stream.flush()
        return
    with atomic_file.atomic_output(out) as f:
        write_members(f)


def write_archive(
    layout: str,
    out: str,
    repo_tags: Sequence[str],
    *,
    zstd: str | None = None,
    ref: str | None = None,
) -> None:
    if ref is None and layout_reader.top_descriptor(layout).get("mediaType") == (
        media_types.INDEX
    ):
        manifests = layout_reader.read_index(layout).get("manifests") or []
        if len(manifests) != 1:
            raise cli.UserError(
                f"{layout} is an image index of {len(manifests)} images: it loads "
                'only with format = "oci" (as rules_oci\'s); or load one image'
            )
    image = layout_reader.read_image(layout, ref)
    split = [_split_tag(t) for t in repo_tags]
    config_name = hex_of(image.config_descriptor["digest"]) + ".json"
    layer_names = [f"{hex_of(layer.diff_id)}/layer.tar" for layer in image.layers]
    manifest = [
        {"Config": config_name, "RepoTags": list(repo_tags), "Layers": layer_names}
    ]
    repositories: dict[str, dict[str, str]] = {}
    if image.layers:
        top = hex_of(image.layers[-1].diff_id)
        for repo, tag in split:
            repositories.setdefault(repo, {})[tag] = top

    # name -> what to write; sorted by name for a stable order.
    members: dict[str, bytes | layout_reader.Layer | None] = {
        config_name: image.config_bytes,
        "manifest.json": canonical_json.dumps(manifest),
        "repositories": canonical_json.dumps(repositories),
    }
    for layer, name in zip(image.layers, layer_names, strict=True):
        members.setdefault(name.split("/")[0] + "/", None)
        members.setdefault(name, layer)  # a layer used twice is stored once

    def write_members(f: BinaryIO) -> None:
        for name in sorted(members):
            item = members[name]
            if item is None:
                f.write(_header(name, 0, directory=True))
            elif isinstance(item, bytes):
                _add_bytes(f, name, item)
            else:
                _add_layer(f, name, item, zstd)
        f.write(b"\0" * (2 * BLOCK))
        f.write(b"\0" * (-f.tell() % RECORD))

    _write_out(out, write_members)


class _Counting:
    """A write-only stream that knows how much it wrote (a pipe cannot tell)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.written = 0

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        self.raw.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--layout", required=True, help="OCI image layout directory")
    parser.add_argument(
        "--out", required=True, help="docker-archive tarball to write ('-': stdout)"
    )
    parser.add_argument(
        "--repo-tag", action="append", default=[], help="NAME:TAG (repeatable)"
    )
    parser.add_argument("--repo-tags-file", help="more NAME:TAG, one a line")
    parser.add_argument("--format", choices=["docker", "oci"], default="docker")
    parser.add_argument("--zstd", help="zstd binary, for zstd-compressed layers")
    parser.add_argument(
        "--ref", help="org.opencontainers.image.ref.name to pick from index.json"
    )
    args = parser.parse_args(argv)
    tags = list(args.repo_tag)
    if args.repo_tags_file:
        try:
            with open(args.repo_tags_file, encoding="utf-8") as f:
                tags += [line.strip() for line in f if line.strip()]
        except OSError as e:
            raise cli.UserError(
                f"cannot read --repo-tags-file {args.repo_tags_file}: {e.strerror}"
            ) from None
    if args.format == "oci":
        write_oci_archive(args.layout, args.out, tags)
    else:
        write_archive(args.layout, args.out, tags, zstd=args.zstd, ref=args.ref)
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
