"""Two images share layers: the same digest, and the same file on disk.

A stack that locks the same wheel as another gets that wheel's layer from the
wheel's own repository: one target, one action, one blob. `check` names each
layer (by its `dev.mlimage.layer.name`) that one image lacks, or whose digest
differs, or that is not the same file (device and inode) in both layouts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from oci import layouts


def check(layout_a: str, layout_b: str, names: Sequence[str]) -> list[str]:
    images = [layouts.read_image(layout_a), layouts.read_image(layout_b)]
    by_name = [{layer.name: layer for layer in image.layers} for image in images]
    problems: list[str] = []
    for name in names:
        found = [layers.get(name) for layers in by_name]
        missing = [
            layout
            for layout, f in zip((layout_a, layout_b), found, strict=True)
            if f is None
        ]
        if missing:
            problems.append(f"layer {name!r} is not in {', '.join(missing)}")
            continue
        a, b = found
        assert a is not None and b is not None
        if a.digest != b.digest:
            problems.append(
                f"layer {name!r}: {a.digest} in one, {b.digest} in the other"
            )
            continue
        sa, sb = os.stat(a.path), os.stat(b.path)
        if (sa.st_dev, sa.st_ino) != (sb.st_dev, sb.st_ino):
            problems.append(
                f"layer {name!r}: the same digest, but two files "
                f"({os.path.realpath(a.path)}, {os.path.realpath(b.path)}): "
                "built twice, not shared"
            )
    return problems
