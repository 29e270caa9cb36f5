"""Which shared libraries a process has mapped, and which came from outside.

A hermetic interpreter runs with its own root's loader and libraries; a library
the root lacks is silently found in the host's /usr/lib instead. These checks
name such libraries. Standard library only, so they run inside the image too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable


def mapped_libraries(maps_text: str) -> set[str]:
    """The shared-object paths in a /proc/PID/maps text."""
    libraries = set()
    for line in maps_text.splitlines():
        fields = line.split(None, 5)
        if len(fields) == 6 and ".so" in fields[5]:
            libraries.add(fields[5].strip())
    return libraries


def own_libraries() -> set[str]:
    """The shared objects this process has mapped now."""
    with open("/proc/self/maps", encoding="utf-8") as maps:
        return mapped_libraries(maps.read())


def outside(libraries: Iterable[str], allowed_roots: Iterable[str]) -> list[str]:
    """One message per library whose real path is under none of `allowed_roots`."""
    roots = tuple(os.path.realpath(root).rstrip("/") + "/" for root in allowed_roots)
    return [
        f"{library} is loaded from outside the allowed roots {list(roots)}"
        for library in sorted(libraries)
        if not os.path.realpath(library).startswith(roots)
    ]
