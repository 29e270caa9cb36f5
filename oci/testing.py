"""Small OCI images for tests, made by the rule set's own tools: the public
test helpers (``write_layer``, ``write_layout`` and the entries ``File``,
``Dir``, ``Link``) for tests of code that reads images, and
``loopback_registry(crane)`` for tests that push."""

from __future__ import annotations

from oci.private.image_fixtures import (
    Dir,
    Entry,
    File,
    Link,
    loopback_registry,
    write_layer,
    write_layout,
)

__all__ = [
    "Dir",
    "Entry",
    "File",
    "Link",
    "loopback_registry",
    "write_layer",
    "write_layout",
]
