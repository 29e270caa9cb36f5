"""Assemble an OCI image index layout from image layouts (`oci_image_index`).

    python3 -m oci.private.image_index --out DIR --image LAYOUT [--image ...] \
        [--annotations-file FILE] [--digest-out FILE]

Each `--image` is an image layout (`oci_image`'s output, one manifest). The
index lists their manifests in the order given, each with the platform its
config names (`os`, `architecture`, `variant`), so a client pulls the one for
its machine. As rules_oci's: the layout's `index.json` holds one descriptor,
of the image index blob, and the index blob carries the annotations
(`KEY=VALUE` lines). Unlike rules_oci's, two images for one platform are an
error: a client would get either.

Blobs are never copied: the manifests, configs and layers are relative
symbolic links into the image layouts (layout_blobs.link_blob). The index blob
is canonical JSON, so the same images give the same digest, which is printed
and written to `--digest-out` as `sha256:<hex>`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import (  # noqa: E402
    canonical_json,
    config_files,
    layout_reader,
    media_types,
)
from oci.private.digests import hex_of  # noqa: E402
from oci.private.layout_blobs import link_blob, write_blob, write_index  # noqa: E402
from rules_common import atomic_file, cli  # noqa: E402

PROG = "image_index"
_PLATFORM_KEYS = ("architecture", "os", "variant")


def platform_of(image: layout_reader.Image) -> dict[str, str]:
    """The platform an image's config names (architecture and os required)."""
    platform = {
        k: image.config[k]
        for k in _PLATFORM_KEYS
        if isinstance(image.config.get(k), str)
    }
    if "architecture" not in platform or "os" not in platform:
        raise cli.UserError(
            f"{image.layout}: the config names no architecture and os, "
            "so the index cannot say which platform it is for"
        )
    return platform


def _platform_text(platform: dict[str, str]) -> str:
    return "/".join(
        platform[k] for k in ("os", "architecture", "variant") if k in platform
    )


def build(
    out: str, layouts: Sequence[str], annotations: dict[str, str] | None = None
) -> str:
    """Write the index layout to `out` (atomically); returns the index digest."""
    if not layouts:
        raise cli.UserError("an image index needs at least one image")
    images = [layout_reader.read_image(layout) for layout in layouts]
    seen: dict[str, str] = {}
    manifests: list[dict[str, Any]] = []
    blob_sources: list[tuple[str, str]] = []
    for image in images:
        platform = platform_of(image)
        text = _platform_text(platform)
        if text in seen:
            raise cli.UserError(
                f"{image.layout} and {seen[text]} are both for {text}; "
                "an index holds one image per platform"
            )
        seen[text] = image.layout
        descriptor = image.manifest_descriptor
        manifests.append(
            {
                "mediaType": descriptor.get("mediaType", media_types.MANIFEST),
                "digest": descriptor["digest"],
                "size": descriptor["size"],
                "platform": platform,
            }
        )
        digests = [descriptor["digest"], image.config_descriptor["digest"]]
        digests += [layer.digest for layer in image.layers]
        blob_sources += [(layout_reader.blob_path(image.layout, d), d) for d in digests]
    index: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": media_types.INDEX,
        "manifests": manifests,
    }
    if annotations:
        index["annotations"] = dict(annotations)
    with atomic_file.atomic_directory(out, marker="oci-layout") as tmp:
        blobs = os.path.join(tmp, "blobs", "sha256")
        os.makedirs(blobs)
        final_blobs = os.path.join(os.path.abspath(out), "blobs", "sha256")
        for src, digest in blob_sources:
            link_blob(src, os.path.join(blobs, hex_of(digest)), final_blobs)
        index_descriptor = {
            "mediaType": media_types.INDEX,
            **write_blob(blobs, canonical_json.dumps(index)),
        }
        write_index(tmp, [index_descriptor])
    return str(index_descriptor["digest"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="layout directory to write")
    parser.add_argument(
        "--image", action="append", default=[], help="an image layout, in order"
    )
    parser.add_argument("--annotations-file", help="index annotations, KEY=VALUE lines")
    parser.add_argument("--digest-out", help="file to receive the index digest")
    args = parser.parse_args(argv)
    annotations = (
        config_files.read_pairs(args.annotations_file, "annotations")
        if args.annotations_file
        else None
    )
    digest = build(args.out, args.image, annotations)
    if args.digest_out:
        atomic_file.write_bytes(args.digest_out, digest.encode("ascii"))
    print(digest)
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
