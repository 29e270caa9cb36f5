"""What any OCI image says it holds, read from its layers alone (no lock).

The baseline of an image report may be an image these rules did not build
here: a release pulled by digest (`oci.pull`), whose locks are not at hand.
`layout_inventory` reads what the report compares from its layout: the
layers (name or index, digest, size), the Debian packages of
/var/lib/dpkg/status.d and /var/lib/dpkg/status (name, version), and each
Python distribution whose dist-info METADATA lies directly in a
`site-packages` or `dist-packages` directory (name, version). Nothing is
checked against a lock, and nothing in it is trusted beyond names and
versions: stanzas and METADATA are bounded, like the inventory's.
"""

from __future__ import annotations

import email.parser
from typing import Any

from gates.private import dpkg_status
from oci import layouts

STATUS_FILE = "var/lib/dpkg/status"
MAX_STATUS_BYTES = 32 << 20
MAX_METADATA_BYTES = 4 << 20
_PACKAGE_DIRS = ("site-packages", "dist-packages")


def _debian(tree: layouts.MergedTree, layout: str) -> list[dict[str, str]]:
    texts = list(dpkg_status.read_status_entries(layout).values())
    if STATUS_FILE in tree.nodes and tree.nodes[STATUS_FILE].kind == layouts.FILE:
        data = tree.read_files([STATUS_FILE], limit=MAX_STATUS_BYTES)[STATUS_FILE]
        texts += data.decode("utf-8", errors="replace").split("\n\n")
    packages: dict[str, str] = {}
    for text in texts:
        fields = dpkg_status.parse_stanza(text)
        if fields and fields.get("Package") and fields.get("Version"):
            if "not-installed" not in fields.get("Status", ""):
                packages[fields["Package"]] = fields["Version"]
    return [{"name": n, "version": v} for n, v in sorted(packages.items())]


def _python(tree: layouts.MergedTree) -> list[dict[str, str]]:
    paths = sorted(
        path
        for path, node in tree.nodes.items()
        if node.kind == layouts.FILE
        and path.endswith(".dist-info/METADATA")
        and path.split("/")[-3] in _PACKAGE_DIRS
    )
    texts = tree.read_files(paths, limit=MAX_METADATA_BYTES)
    found: dict[str, str] = {}
    for path in paths:
        message = email.parser.Parser().parsestr(
            texts[path].decode("utf-8", errors="replace"), headersonly=True
        )
        if message.get("Name") and message.get("Version"):
            found[str(message["Name"])] = str(message["Version"])
    return [{"name": n, "version": v} for n, v in sorted(found.items())]


def layout_inventory(layout: str, name: str) -> dict[str, Any]:
    """The report's view of the image in `layout`, called `name`."""
    image = layouts.read_image(layout)
    tree = layouts.MergedTree.from_image(image)
    return {
        "image": {"name": name, "digest": image.manifest_descriptor["digest"]},
        "layers": [
            {
                "name": layer.name or str(layer.index),
                "digest": layer.digest,
                "size": layer.size,
            }
            for layer in image.layers
        ],
        "debian": _debian(tree, layout),
        "python": _python(tree),
    }
