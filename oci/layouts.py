"""Reading, unpacking and checking OCI image layouts: the OCI rule set's public
Python API, what the gates and other rule sets use (the modules behind it are
oci/private's, visible to this rule set only).

- ``read_image(layout[, platform=])`` -> ``Image`` (manifest, config,
  ``layers``); ``read_index(layout)``: an image index layout's index, and
  ``platform_text`` its entries' ``os/arch``; ``INDEX``: its media type;
- ``unpack(layout, root)``: the layers applied in order, whiteouts honoured;
- ``verify(layout)``: every blob against its digest, size and diff_id;
- ``check_links(layout, blobs)``: layer blobs linked, never copied;
- ``serving(layout)``: a loopback registry serving the layout (a context);
- ``MergedTree`` (and ``DIR``, ``FILE``, ``SYMLINK``, ``Unresolvable``): the
  layers' headers merged as overlay would, read in place.
"""

from __future__ import annotations

from oci.private.image_unpack import unpack
from oci.private.layout_links import check as check_links
from oci.private.layout_reader import (
    Image,
    Layer,
    platform_text,
    read_image,
    read_index,
)
from oci.private.layout_registry import serving
from oci.private.layout_verify import verify
from oci.private.media_types import INDEX
from oci.private.merged_tree import DIR, FILE, SYMLINK, MergedTree, Unresolvable

__all__ = [
    "DIR",
    "FILE",
    "INDEX",
    "SYMLINK",
    "Image",
    "Layer",
    "MergedTree",
    "Unresolvable",
    "check_links",
    "platform_text",
    "read_image",
    "read_index",
    "serving",
    "unpack",
    "verify",
]
