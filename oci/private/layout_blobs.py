"""A layout being written: its blobs (links to files, or new JSON) and its index."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from oci.private import canonical_json, media_types
from oci.private.digests import hex_of
from rules_common import cli


def link_blob(src: str, dest: str, final_dir: str) -> None:
    """`dest` becomes a relative symlink to `src`, as seen from `final_dir`.

    `final_dir` is where `dest`'s directory will be once the layout is in
    place; the temporary directory it is written in sits beside it, so the
    link text is the same. `src` is not resolved: inside Bazel's sandbox it
    is a link to the execroot, and a link to that would point outside it.
    """
    if os.path.lexists(dest):
        return  # the same digest given twice
    if not os.path.isfile(src):
        raise cli.UserError(f"layer blob {src}: not a file")
    os.symlink(os.path.relpath(os.path.abspath(src), final_dir), dest)


def write_blob(blobs: str, data: bytes) -> dict[str, Any]:
    """Writes `data` as a blob in `blobs`; returns its digest and size."""
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, hex_of(digest)), "wb") as f:
        f.write(data)
    return {"digest": digest, "size": len(data)}


def write_index(layout: str, manifests: list[dict[str, Any]]) -> None:
    """Writes the layout's `index.json` (listing `manifests`) and `oci-layout`."""
    index = {"schemaVersion": 2, "mediaType": media_types.INDEX, "manifests": manifests}
    with open(os.path.join(layout, "index.json"), "wb") as f:
        f.write(canonical_json.dumps(index))
    with open(os.path.join(layout, "oci-layout"), "wb") as f:
        f.write(
            canonical_json.dumps({"imageLayoutVersion": media_types.OCI_LAYOUT_VERSION})
        )
