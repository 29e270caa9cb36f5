"""Attach files to an image the OCI 1.1 way: artifact manifests whose subject is it.

    python3 -m oci.private.attach --image LAYOUT --out DIR --referrers FILE \
        --artifact FILE=ARTIFACT_TYPE ...

`DIR` becomes an OCI layout holding the image of `LAYOUT` (each of its blobs
a relative link to that layout's, never a copy) and, for each `--artifact`,
an artifact manifest (image-spec 1.1 "guidance for an empty descriptor"):
`artifactType` the given type, the empty config, one layer that is the file
(titled with its base name) and `subject` the image's manifest. `index.json`
lists the image first, then each attachment, so a registry client reads the
image as before and `oras discover --oci-layout DIR@DIGEST` lists the rest.
`FILE` (`--referrers`) holds one JSON object: the image's digest and each
attachment's digest, artifact type and title, for the push.

Nothing in an attachment's manifest has a clock, so the same inputs give the
same digests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import canonical_json, layout_reader, media_types  # noqa: E402
from oci.private.digests import hex_of  # noqa: E402
from oci.private.layout_blobs import link_blob, write_blob, write_index  # noqa: E402
from rules_common import atomic_file, cli  # noqa: E402

PROG = "attach"
# RFC 6838 type/subtype, as image-spec requires of artifactType.
ARTIFACT_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]{0,126}/[A-Za-z0-9][\w.+-]{0,126}$")
MAX_ARTIFACT_BYTES = 64 * 1024 * 1024
EMPTY_CONFIG = {
    "mediaType": media_types.EMPTY,
    "digest": media_types.EMPTY_DIGEST,
    "size": 2,
    "data": "e30=",
}
TITLE_ANNOTATION = "org.opencontainers.image.title"


@dataclass(frozen=True)
class Artifact:
    path: str
    artifact_type: str

    @property
    def title(self) -> str:
        return os.path.basename(self.path)


def parse_artifact(arg: str) -> Artifact:
    path, sep, artifact_type = arg.rpartition("=")
    if not sep or not path:
        raise cli.UserError(f"--artifact {arg!r}: expected FILE=ARTIFACT_TYPE")
    if not ARTIFACT_TYPE.match(artifact_type):
        raise cli.UserError(
            f"--artifact {arg!r}: {artifact_type!r} is not a media type (type/subtype)"
        )
    if not os.path.isfile(path):
        raise cli.UserError(f"--artifact {path}: not a file")
    size = os.path.getsize(path)
    if size == 0 or size > MAX_ARTIFACT_BYTES:
        raise cli.UserError(
            f"--artifact {path}: {size:,} bytes; an attachment holds 1 byte to "
            f"{MAX_ARTIFACT_BYTES:,}"
        )
    return Artifact(path, artifact_type)


def artifact_manifest(
    subject: dict[str, Any], layer: dict[str, Any], artifact: Artifact
) -> dict[str, Any]:
    """The manifest that attaches `layer` (the file's descriptor) to `subject`."""
    return {
        "schemaVersion": 2,
        "mediaType": media_types.MANIFEST,
        "artifactType": artifact.artifact_type,
        "config": dict(EMPTY_CONFIG),
        "layers": [
            {
                "mediaType": artifact.artifact_type,
                **layer,
                "annotations": {TITLE_ANNOTATION: artifact.title},
            }
        ],
        "subject": subject,
    }


def build(image_layout: str, artifacts: Sequence[Artifact], out: str) -> dict[str, Any]:
    """Write the attached layout to `out`; return what `--referrers` records."""
    titles = [a.title for a in artifacts]
    if len(set(titles)) != len(titles):
        raise cli.UserError(f"two attachments have the same file name: {titles}")
    image = layout_reader.read_image(image_layout)
    top = image.manifest_descriptor
    subject = {k: top[k] for k in ("mediaType", "digest", "size")}
    sources = [str(top["digest"]), str(image.config_descriptor["digest"])]
    sources += [layer.digest for layer in image.layers]
    referrers: list[dict[str, Any]] = []
    with atomic_file.atomic_directory(out, marker="oci-layout") as tmp:
        blobs = os.path.join(tmp, "blobs", "sha256")
        os.makedirs(blobs)
        final_blobs = os.path.join(os.path.abspath(out), "blobs", "sha256")
        for digest in sources:
            link_blob(
                layout_reader.blob_path(image_layout, digest),
                os.path.join(blobs, hex_of(digest)),
                final_blobs,
            )
        write_blob(blobs, b"{}")
        descriptors = [dict(top)]
        for artifact in artifacts:
            with open(artifact.path, "rb") as f:
                layer = write_blob(blobs, f.read())
            manifest = artifact_manifest(subject, layer, artifact)
            written = write_blob(blobs, canonical_json.dumps(manifest))
            descriptors.append(
                {
                    "mediaType": media_types.MANIFEST,
                    **written,
                    "artifactType": artifact.artifact_type,
                }
            )
            referrers.append(
                {
                    "digest": written["digest"],
                    "artifactType": artifact.artifact_type,
                    "title": artifact.title,
                }
            )
        write_index(tmp, descriptors)
    return {"image": subject["digest"], "referrers": referrers}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True, help="the image's OCI layout")
    parser.add_argument("--out", required=True, help="the attached layout to write")
    parser.add_argument("--referrers", required=True, help="the JSON record to write")
    parser.add_argument(
        "--artifact",
        action="append",
        default=[],
        metavar="FILE=ARTIFACT_TYPE",
        help="a file to attach, and its artifact type",
    )
    args = parser.parse_args(argv)
    if not args.artifact:
        raise cli.UserError("nothing to attach: give --artifact FILE=ARTIFACT_TYPE")
    artifacts = [parse_artifact(a) for a in args.artifact]
    record = build(args.image, artifacts, args.out)
    atomic_file.write_bytes(
        args.referrers, json.dumps(record, indent=2, sort_keys=True).encode() + b"\n"
    )
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
