"""Reading pip-tools locks: the Python rule set's public Python API, what the
gates read a stack's expectations with (standard library only, so it runs
inside an image too).

- ``read_lock(path)`` -> ``Lock`` (its ``pins``: ``Pin`` name, version, hashes);
- ``normalize_name(name)``: a distribution name as PEP 503 compares it.
"""

from __future__ import annotations

from pypi.private.pip_lock_file import Lock, Pin, normalize_name, read_lock

__all__ = ["Lock", "Pin", "normalize_name", "read_lock"]
