"""Describe a layer tar no image_layer made: digest, size, media type, diff_id.

    python3 -m oci.private.describe_layer --in layer.tar[.gz|.zst] \
        --descriptor-out d.json [--zstd PATH]

Like rules_oci's `tars`, an image takes any tar: an uncompressed `.tar`, a
gzip `.tar.gz`/`.tgz` or a zstd `.tar.zst`, known by its extension. Writes
`{"diff_id", "size"}` for an uncompressed tar (its digest is its diff_id), or
`{"digest", "size", "media_type", "diff_id"}` for a compressed one (the
diff_id is the digest of the decompressed stream), as compress_layer does.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Sequence
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import canonical_json, layout_reader, media_types  # noqa: E402
from oci.private.digests import CHUNK, file_digest  # noqa: E402
from rules_common import atomic_file, cli  # noqa: E402

PROG = "describe_layer"
_SUFFIXES = (
    (".tar.gz", media_types.LAYER_GZIP),
    (".tgz", media_types.LAYER_GZIP),
    (".tar.zst", media_types.LAYER_ZSTD),
    (".tar", media_types.LAYER_TAR),
)


def media_type_of(path: str) -> str:
    for suffix, media_type in _SUFFIXES:
        if path.endswith(suffix):
            return media_type
    raise cli.UserError(
        f"{path}: a layer must be a .tar, .tar.gz, .tgz or .tar.zst (known by its name)"
    )


def describe(path: str, zstd: str | None = None) -> dict[str, Any]:
    media_type = media_type_of(path)
    digest, size = file_digest(path)
    if media_type == media_types.LAYER_TAR:
        return {"diff_id": digest, "size": size}
    layer = layout_reader.Layer(
        index=0,
        path=path,
        digest=digest,
        size=size,
        media_type=media_type,
        compression=media_types.layer_compression(media_type) or "",
        diff_id="",
    )
    uncompressed = hashlib.sha256()
    with layout_reader.open_layer(layer, zstd) as (stream, _):
        while data := stream.read(CHUNK):
            uncompressed.update(data)
    return {
        "diff_id": "sha256:" + uncompressed.hexdigest(),
        "digest": digest,
        "media_type": media_type,
        "size": size,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--in", dest="src", required=True, help="the layer tar")
    parser.add_argument("--descriptor-out", required=True)
    parser.add_argument("--zstd", help="zstd binary, for .tar.zst layers")
    args = parser.parse_args(argv)
    descriptor = describe(args.src, args.zstd)
    atomic_file.write_bytes(args.descriptor_out, canonical_json.dumps(descriptor))
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
