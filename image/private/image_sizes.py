"""Where an image's bytes are: each distribution's installed size, the heaviest files.

Read from the merged tree the inventory already built (layer headers), plus
each distribution's dist-info RECORD: a distribution's size is the sum of
the files its RECORD lists that the image holds. The image report
(report.py) draws both.
"""

from __future__ import annotations

import csv
import posixpath
from typing import Any

from oci import layouts

MAX_RECORD_BYTES = 16 << 20
HEAVIEST_FILES = 20


def _distribution_name(dist_info: str) -> str:
    """`numpy-1.26.4.dist-info` -> `numpy`."""
    return posixpath.basename(dist_info).rsplit(".dist-info", 1)[0].rsplit("-", 1)[0]


def distribution_sizes(tree: layouts.MergedTree, site_packages: str) -> dict[str, int]:
    """Installed bytes of each distribution of site-packages, by its RECORD."""
    depth = site_packages.count("/") + 2
    records = sorted(
        path
        for path in tree.under(site_packages)
        if path.endswith(".dist-info/RECORD") and path.count("/") == depth
    )
    texts = tree.read_files(records, limit=MAX_RECORD_BYTES)
    sizes: dict[str, int] = {}
    for record in records:
        total = 0
        rows = csv.reader(texts[record].decode("utf-8", errors="replace").splitlines())
        for row in rows:
            if not row:
                continue
            path = posixpath.normpath(posixpath.join(site_packages, row[0]))
            node = tree.nodes.get(path)
            if node is not None and node.kind == layouts.FILE:
                total += node.size
        sizes[_distribution_name(posixpath.dirname(record))] = total
    return sizes


def heaviest_files(
    tree: layouts.MergedTree, count: int = HEAVIEST_FILES
) -> list[dict[str, Any]]:
    """The `count` biggest regular files the image shows, with the layer of each."""
    assert tree.image is not None
    layers = tree.image.layers
    files = sorted(
        (
            (node.size, path, node.layer)
            for path, node in tree.nodes.items()
            if node.kind == layouts.FILE
        ),
        key=lambda item: (-item[0], item[1]),
    )[:count]
    return [
        {"path": "/" + path, "size": size, "layer": layers[layer].name or str(layer)}
        for size, path, layer in files
    ]
