"""Check that a layout's layer blobs are the layer files themselves, not copies.

oci_layout links each layer blob to the file it was given; a copy would cost
the layer's size again on disk and in time on every build (6 GB for the CUDA
image). Each layer of the layout's image must be the same file (device and
inode, links followed) as one of the layer files Bazel built, and
each of those must be used. No byte is read, so the check is instant.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from oci.private import layout_reader


def _identity(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def check(layout: str, blobs: Sequence[str]) -> list[str]:
    """What is wrong: each layer blob that is a copy, each blob left unused."""
    image = layout_reader.read_image(layout)
    expected = {_identity(blob): blob for blob in blobs}
    used: set[tuple[int, int]] = set()
    problems = []
    for layer in image.layers:
        identity = _identity(layer.path)
        if identity in expected:
            used.add(identity)
            continue
        how = (
            f"a link to {os.readlink(layer.path)}"
            if os.path.islink(layer.path)
            else "a file of its own"
        )
        problems.append(
            f"{layout}: {layer.label} is {how}, not one of the layer files "
            f"it was built from (a copy of {layer.size} bytes)"
        )
    for identity, blob in sorted(expected.items(), key=lambda kv: kv[1]):
        if identity not in used:
            problems.append(f"{layout}: no layer is the file {blob}")
    return problems
