"""Writing image layers: the OCI rule set's public Python API for rule sets that
make layers of their own (the Python rule set writes each wheel's layer with
it), so their layers are written as image_layer's are: sorted, mtime 0,
root-owned, modes normalised, the same bytes wherever they are made.

- ``Member``, ``FILE``, ``ROOT_OWNER``, ``plan_of(members)``: what goes in;
- ``write_layer(plan, out, opener)`` -> ``(diff_id, size)``;
- ``canonical_json(obj)``: the bytes of a layer descriptor.
"""

from __future__ import annotations

from oci.private.canonical_json import dumps as canonical_json
from oci.private.layer_spec import FILE, ROOT_OWNER, Member, plan_of
from oci.private.layer_tar import write_layer

__all__ = ["FILE", "ROOT_OWNER", "Member", "canonical_json", "plan_of", "write_layer"]
